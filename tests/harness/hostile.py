"""Hypothesis strategies for hostile updates: what anyone may send, described as plain data (readable when a
failing example is printed) and turned into aiogram Updates against the harness's chats when it is fed."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

COMMANDS = ("start", "help", "whoami", "bind", "unbind", "join", "report", "cancel", "issue", "open", "mine", "tasks",
            "overview", "meeting", "score", "service", "services", "reserve", "unreserve", "export", "nosuchcommand")
MENTIONS = ("", "", "", "@five_teams_bot", "@FIVE_TEAMS_BOT", "@other_bot")
JUNK = (
    "", "../../", "../../etc/passwd", "99999-99", "2026-0001", "2026-0002", "2026-9999", "0000-0000", "-1", "0",
    "GC01-02", "GC01", "GC", "AGRI", "gc01-02", "GC01 extra words", "M0001 进展很好", "NOPE", "2026-13", "9999-99",
    "2026-12-20", "12-20", "2026-02-30", "２０２６-１１-０１", "2026年11月1日", "3天", "0", "999", "today",
    "' OR 1=1 --", "%s%n%x", "{number}", "<b>bold</b>", "a" * 40, "\u202egnp.exe", "１２３", "२०२६-०००१",
)
NASTY = (
    "བཀྲ་ཤིས་བདེ་ལེགས། ཞིང་ཁ་ལ་ཆུ་མེད།",       # Tibetan
    "👨‍👩‍👧‍👦🏳️‍🌈🇨🇳" * 3,                        # emoji with joiners and flags
    "مرحبا بالعالم \u202e العربية \u202c",            # right-to-left with overrides
    "\x00\x01\x1b[31m\x7f\u200b\u2028\ufeff",         # control and invisible characters
    "草" * 4096,                                      # a full message of wide characters
    "x" * 10_001,                                     # longer than any description may be
    "line\n" * 500,
    "   \n\t  ",
    "/",
    "@five_teams_bot",
    "💩" * 2048,                                      # 4096 UTF-16 code units
)
MEDIA = ("photo", "sticker", "document", "voice", "video", "video_note", "audio", "animation", "location", "venue",
         "contact", "poll", "dice")
SERVICE = ("new_chat_members", "left_chat_member", "pinned_message", "new_chat_title", "group_chat_created",
           "forum_topic_created", "migrate_to", "migrate_from")
ENTITY_TYPES = ("bot_command", "mention", "hashtag", "url", "bold", "italic", "code", "pre", "text_link",
                "text_mention", "spoiler", "custom_emoji", "blockquote")
CALLBACK_FORGERIES = (
    "ia:claim:{n}", "ia:resolve:{n}", "ia:verify:{n}", "ia:escalate:{n}", "ia:dispatch:{n}", "ia:photos:{n}",
    "ia:{s}:{n}", "ia:claim:{s}", "jp:{n}", "jd:{n}:1", "jd:{n}:0", "jd:{n}:{s}", "rs:kind:{s}", "rs:confirm:yes",
    "rs:urgency:{s}", "rs:edit:{s}", "rs:photos:done", "rs:place:skip", "pg:open:{n}", "pg:{s}:{n}", "pg:tasks:{n}",
    "dp:{n}", "dd:1", "dd:{s}", "mp:a:{n}", "mp:i:{n}", "mp:day:{n}", "mp:done:0", "sv:kind:{s}", "sv:place:skip",
    "sp:{n}", "{s}", "::::", "ia::", "ia:claim:1:extra",
)
CHATS = ("village", "village", "township", "county", "department", "unbound", "basic", "private", "fresh")
SENDERS = ("reporter", "describing", "photographing", "confirming", "withdrawing", "dispatching", "meeting",
           "servicing", "private_reporter", "lead", "secretary", "supervisor", "liaison", "admin", "stranger",
           "no_username", "bot", "anonymous_admin", "channel_in_group")
HUMANS = tuple(s for s in SENDERS if s not in ("bot", "anonymous_admin", "channel_in_group"))
NUMBERS = st.one_of(st.integers(-2, 12), st.sampled_from((2**31, 2**63 - 1, -(2**63), 10**30)))


@dataclass(frozen=True)
class Spec:
    """One update as plain data; `World.update` turns it into an aiogram Update."""

    kind: str                        # an update type, or "wait": time passes (number % 120 minutes)
    sender: str
    chat: str
    text: str | None = None
    entities: tuple[tuple[str, int, int], ...] = ()
    content: str | None = None       # a media kind or a service message kind
    topic: int | None = None         # a forum topic thread id
    reply: bool = False              # replying to the bot's latest message in that chat
    forwarded: bool = False
    button: int | None = None        # press the n-th button the bot has shown (modulo how many there are)
    data: str | None = None          # forged callback data, when no button is pressed
    number: int = 0                  # a dice value, a coordinate, a poll's count
    target: str = "fresh"            # where a migration leads: the unbound supergroup "fresh", or another chat


def _command() -> st.SearchStrategy[str]:
    args = st.one_of(st.sampled_from(JUNK), st.text(max_size=60))
    return st.builds(lambda c, m, sep, a: f"/{c}{m}{sep}{a}".rstrip() if a else f"/{c}{m}",
                     st.sampled_from(COMMANDS), st.sampled_from(MENTIONS), st.sampled_from((" ", "  ", "\n", "\u3000")),
                     args)


def texts() -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), _command(), _command(), st.sampled_from(NASTY), st.sampled_from(JUNK),
                     st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50))


def _forgery() -> st.SearchStrategy[str]:
    word = st.one_of(st.sampled_from(("claim", "ecology", "yes", "open", "a", "", "skip", "-1", "None", "1e9")),
                     st.text(max_size=20))
    forged = st.builds(lambda template, n, s: template.format(n=n, s=s), st.sampled_from(CALLBACK_FORGERIES),
                       NUMBERS, word)
    return st.one_of(forged, st.text(max_size=64), st.binary(max_size=64).map(lambda b: b.decode("latin-1")))


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    kind = draw(st.sampled_from(("message",) * 6 + ("callback",) * 4 + (
        "edited_message", "channel_post", "edited_channel_post", "my_chat_member", "chat_member", "inline_query",
        "wait")))
    sender = draw(st.sampled_from(HUMANS if kind in ("callback", "inline_query", "wait") else SENDERS))
    chat = draw(st.sampled_from(CHATS))
    content = draw(st.one_of(st.none(), st.none(), st.sampled_from(MEDIA), st.sampled_from(SERVICE)))
    text = draw(texts())
    entities = tuple(draw(st.lists(st.tuples(st.sampled_from(ENTITY_TYPES), st.integers(-3, 5000),
                                             st.integers(-3, 5000)), max_size=3)))
    pressed = kind == "callback" and draw(st.booleans())
    return Spec(
        kind=kind, sender=sender, chat=chat, text=text, entities=entities, content=content,
        topic=draw(st.one_of(st.none(), st.integers(1, 5))), reply=draw(st.booleans()),
        forwarded=draw(st.booleans()) and draw(st.booleans()),
        button=draw(st.integers(0, 10_000)) if pressed else None,
        data=draw(_forgery()) if kind == "callback" and not pressed else None,
        number=draw(NUMBERS), target=draw(st.sampled_from(("fresh", *CHATS))),
    )
