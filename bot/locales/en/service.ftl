## /service and /services: the service log (为民服务)
command-service = Log a service (household visit, dispute settled, ...)
command-services = This month's services of the village
help-village-service = Services: /service logs a household visit, help with insurance, a dispute settled and the like; /services shows the village's services this month.
service-only-village = Use /service and /services in your village's group.
service-not-your-village = Only this village's team members and secretary can log services here.
service-ask-kind = What kind of service did you render in { $village }? Press a button below.
service-use-buttons = Press one of the buttons above to pick the kind of service, or send /cancel.
service-no-such-kind = There is no such kind of service; press one of the buttons above.
service-ask-place = Which household or place? Reply to this message, or press Skip.
service-place-skip = ⏭ Skip
service-place-skip-hint = No household or place:
service-place-need-text = Reply with the household or place as text, or press Skip.
service-place-empty = The household or place cannot be empty.
service-place-too-long = The household or place is too long; keep it within { $limit } characters.
service-ask-note = What did you do, and how did it go? Reply to this message; you can also send one photo with the note as its caption.
service-note-need-text = Write what you did as text, or send a photo with a caption.
service-photo-needs-caption = The photo has no caption. Send it again with what you did as its caption, or reply with text.
service-note-empty = The note cannot be empty.
service-note-too-long = The note is too long; keep it within { $limit } characters.
service-logged = ✅ Logged: { $kind }, household/place: { $place }{ $photo ->
    [yes] , with a photo
   *[no] {""}
}. Your service number { $count } this month.
services-empty = { $village } has no services logged in { $month } yet. Log one with /service.
services-title = 🤝 { $village }: { $total } services in { $month }
services-count = [{ $kind }] { $count }
services-line = • { $at } { $kind } · { $member } · { $place } · { $note }{ $photo ->
    [yes] 📷
   *[no] {""}
}

## The monthly public digest (公示)
disclosure-title = 📢 { $name }: public notice for { $month }
disclosure-summary = Signed off last month: { $solved }; still open: { $pending }, of them overdue: { $overdue }.
disclosure-solved = ✅ Signed off last month:
disclosure-signed-on = {" "}(signed off { $date })
disclosure-pending = ⏳ Still open:
disclosure-mark = { $overdue ->
    [yes] ⚠️ overdue
   *[no] •
} {""}
disclosure-item = { $number } [{ $team }] { $description }{ $show_place ->
    [yes] {" "}(place: { $place })
   *[no] {""}
}
disclosure-state = {" "}({ $status } · { $level })
disclosure-more = … and { $count } more
disclosure-ranking = 🏅 Villages of { $township }: share of items due in { $month } signed off
disclosure-rank-row = { $own ->
    [yes] 👉
   *[no] {"  "}
} { $rank }. { $name } { $signed }/{ $items } signed off, { $share }
disclosure-rank-none = { $own ->
    [yes] 👉
   *[no] {"  "}
} · { $name } had nothing due
disclosure-footer = To protect personal data, phone numbers and names are removed and reporters are shown by team.
disclosure-mask-name = someone
disclosure-mask-phone = [number removed]

## The reserve-cadre pool (后备干部)
help-reserve = Reserve cadres: /reserve CODE reason puts a member of your village in the reserve-cadre pool; /reserve lists it; /unreserve CODE takes one out.
reserve-usage = Usage: /reserve CODE reason (e.g. /reserve M0123 trusted by households, settles many disputes), or /reserve alone to list the pool.
unreserve-usage = Usage: /unreserve CODE (e.g. /unreserve M0123).
reserve-not-allowed = Only a village secretary (for their village) or an admin can keep the reserve-cadre pool.
reserve-not-your-member = { $name } is not in your village; only an admin can put them in the pool.
reserve-unknown-member = There is no member with code "{ $code }".
reserve-note-needed = Add the reason: /reserve CODE reason.
reserve-note-too-long = The reason is too long; keep it within { $limit } characters.
reserve-added = 🌱 { $name } ({ $code }) is now in the reserve-cadre pool.
reserve-updated = The reason for { $name } ({ $code }) is updated.
reserve-removed = { $name } ({ $code }) is out of the reserve-cadre pool.
reserve-not-in-pool = { $name } is not in the reserve-cadre pool.
reserve-empty = The reserve-cadre pool holds nobody you can see yet.
reserve-title = 🌱 Reserve-cadre pool ({ $count }):
reserve-line = • { $code } { $name } ({ $villages }): { $note } — added by { $by } on { $date }
year-reserve-title = 🌱 Reserve-cadre pool ({ $count }), the year's record:
year-reserve-row = • { $code } { $name } ({ $villages }): reported { $reports } · resolved { $resolutions } · verified { $verifications } · services { $services } — { $note }
