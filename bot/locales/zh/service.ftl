## /service and /services: the service log (为民服务)
command-service = 记录一次为民服务（入户走访、化解纠纷等）
command-services = 本村本月为民服务记录
help-village-service = 为民服务：/service 记录一次入户走访、协助参保、化解纠纷等服务；/services 查看本村本月的服务记录。
service-only-village = 请在本村工作群里使用 /service 和 /services。
service-not-your-village = 只有本村的队员和村书记可以在这里记录为民服务。
service-ask-kind = 在{ $village }做了哪种服务？点下面的按钮选择。
service-use-buttons = 请点上面的按钮选择服务类型，或发送 /cancel 取消。
service-no-such-kind = 没有这种服务类型，请点上面的按钮重新选择。
service-ask-place = 服务的是哪户人家或什么地方？回复本消息写下来，或点「跳过」。
service-place-skip = ⏭ 跳过
service-place-skip-hint = 不写住户或地点：
service-place-need-text = 请用文字回复住户或地点，或点「跳过」。
service-place-empty = 住户或地点不能为空。
service-place-too-long = 住户或地点太长了，请控制在 { $limit } 字以内。
service-ask-note = 做了什么、结果如何？回复本消息写下来；也可以发一张照片，把说明写在照片说明里。
service-note-need-text = 请用文字写下服务内容，或发一张带说明的照片。
service-photo-needs-caption = 照片收到了，但没有说明。请重新发送照片并在照片说明里写下服务内容，或直接用文字回复。
service-note-empty = 服务内容不能为空。
service-note-too-long = 服务内容太长了，请控制在 { $limit } 字以内。
service-logged = ✅ 已记录：{ $kind }，住户/地点：{ $place }{ $photo ->
    [yes] ，附照片
   *[no] {""}
}。这是您本月第 { $count } 次为民服务。
services-empty = { $village } { $month } 还没有为民服务记录。用 /service 记录一次。
services-title = 🤝 { $village } { $month } 为民服务共 { $total } 次
services-count = 【{ $kind }】{ $count } 次
services-line = • { $at } { $kind } · { $member } · { $place } · { $note }{ $photo ->
    [yes] 📷
   *[no] {""}
}

## The monthly public digest (公示)
disclosure-title = 📢 { $name } { $month } 工作公示
disclosure-summary = 上月销号 { $solved } 项；目前未办结 { $pending } 项，其中超期 { $overdue } 项。
disclosure-solved = ✅ 上月已销号：
disclosure-signed-on = （{ $date } 销号）
disclosure-pending = ⏳ 未办结：
disclosure-mark = { $overdue ->
    [yes] ⚠️ 超期
   *[no] •
} {""}
disclosure-item = { $number }【{ $team }】{ $description }{ $show_place ->
    [yes] （地点：{ $place }）
   *[no] {""}
}
disclosure-state = （{ $status } · { $level }）
disclosure-more = ……另有 { $count } 项
disclosure-ranking = 🏅 { $township } 各村 { $month } 到期事项销号率：
disclosure-rank-row = { $own ->
    [yes] 👉
   *[no] {"  "}
} { $rank }. { $name } 销号 { $signed }/{ $items }，{ $share }
disclosure-rank-none = { $own ->
    [yes] 👉
   *[no] {"  "}
} · { $name } 无到期事项
disclosure-footer = 为保护个人信息，公示已隐去电话号码和人名，上报人按工作队显示。
disclosure-mask-name = 某某
disclosure-mask-phone = [号码已隐去]

## The reserve-cadre pool (后备干部)
help-reserve = 后备干部：/reserve 编号 理由 把本村队员列入后备干部库；/reserve 查看；/unreserve 编号 移出。
reserve-usage = 用法：/reserve 编号 推荐理由（例如 /reserve M0123 群众评价好，调解纠纷多），或只发 /reserve 查看后备干部库。
unreserve-usage = 用法：/unreserve 编号（例如 /unreserve M0123）。
reserve-not-allowed = 只有村书记（本村人员）或管理员可以管理后备干部库。
reserve-not-your-member = { $name } 不是您所在村的人员，只有管理员可以把他列入后备干部库。
reserve-unknown-member = 没有编号为「{ $code }」的人员。
reserve-note-needed = 请写下推荐理由：/reserve 编号 推荐理由。
reserve-note-too-long = 推荐理由太长了，请控制在 { $limit } 字以内。
reserve-added = 🌱 已把 { $name }（{ $code }）列入后备干部库。
reserve-updated = 已更新 { $name }（{ $code }）的推荐理由。
reserve-removed = 已把 { $name }（{ $code }）移出后备干部库。
reserve-not-in-pool = { $name } 不在后备干部库中。
reserve-empty = 后备干部库中还没有您可以查看的人员。
reserve-title = 🌱 后备干部库（{ $count } 人）：
reserve-line = • { $code } { $name }（{ $villages }）：{ $note } — { $by } 于 { $date } 列入
year-reserve-title = 🌱 后备干部库（{ $count } 人）全年工作记录：
year-reserve-row = • { $code } { $name }（{ $villages }）：上报 { $reports } · 办结 { $resolutions } · 验收 { $verifications } · 为民服务 { $services } — { $note }
