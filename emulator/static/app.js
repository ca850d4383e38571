// Sandbox chat page for the local Bot API emulator. Talks only to the emulator's /control/ API.
// All user-provided text goes through textContent: names, messages and buttons come from anyone.
"use strict";

(() => {
  const STRINGS = {
    zh: {
      title: "五队助手 · 沙盒",
      pickUser: "选择身份",
      pickUserHint: "以谁的身份聊天？",
      search: "搜索姓名、用户名、备注、ID…",
      noUsers: "模拟器里还没有用户。请先运行启动器，或通过控制接口创建用户。",
      chats: "聊天",
      switchUser: "切换身份",
      back: "返回",
      privateChat: "私聊 · 机器人",
      bot: "机器人",
      group: "群组",
      supergroup: "超级群组",
      members: "{n} 位成员",
      botKicked: "机器人已被移出本群",
      botLeft: "机器人不在本群",
      botAdmin: "机器人是管理员",
      typing: "正在输入…",
      message: "输入消息…",
      send: "发送",
      sendPhoto: "发送照片",
      sendLocation: "发送位置",
      latitude: "纬度",
      longitude: "经度",
      keyboard: "键盘",
      commands: "命令",
      noCommands: "机器人还没有设置命令",
      reply: "回复",
      replyTo: "回复 {name}",
      edit: "编辑",
      editing: "编辑消息",
      cancel: "取消",
      edited: "已编辑",
      you: "我",
      photo: "[照片]",
      document: "[文件]",
      location: "[位置]",
      unsupportedButton: "模拟器不支持这种按钮",
      requestContact: "模拟器不支持分享联系人",
      badLocation: "请输入有效的纬度（±90）和经度（±180）",
      offline: "与模拟器的连接中断，正在重试…",
      error: "出错了：{message}",
      noMessages: "还没有消息",
    },
    en: {
      title: "Five Teams · Sandbox",
      pickUser: "Who are you?",
      pickUserHint: "Pick a user to chat as",
      search: "Search name, username, note, id…",
      noUsers: "The emulator has no users yet. Run the launcher, or create users through the control API.",
      chats: "Chats",
      switchUser: "Switch",
      back: "Back",
      privateChat: "Private chat · bot",
      bot: "bot",
      group: "group",
      supergroup: "supergroup",
      members: "{n} members",
      botKicked: "the bot was removed from this group",
      botLeft: "the bot is not in this group",
      botAdmin: "the bot is an admin",
      typing: "typing…",
      message: "Message…",
      send: "Send",
      sendPhoto: "Send a photo",
      sendLocation: "Send a location",
      latitude: "Latitude",
      longitude: "Longitude",
      keyboard: "Keyboard",
      commands: "Commands",
      noCommands: "The bot has set no commands",
      reply: "Reply",
      replyTo: "Reply to {name}",
      edit: "Edit",
      editing: "Editing message",
      cancel: "Cancel",
      edited: "edited",
      you: "Me",
      photo: "[photo]",
      document: "[file]",
      location: "[location]",
      unsupportedButton: "The emulator does not support this kind of button",
      requestContact: "The emulator cannot share contacts",
      badLocation: "Enter a valid latitude (±90) and longitude (±180)",
      offline: "Lost the emulator, retrying…",
      error: "Error: {message}",
      noMessages: "No messages yet",
    },
  };

  const PRESETS = [
    { zh: "刚察县城", en: "Gangcha town", latitude: 37.3256, longitude: 100.1467 },
    { zh: "沙柳河镇", en: "Shaliuhe", latitude: 37.3311, longitude: 100.1352 },
    { zh: "哈尔盖镇", en: "Ha'ergai", latitude: 37.2325, longitude: 100.4923 },
    { zh: "泉吉乡", en: "Quanji", latitude: 37.2611, longitude: 99.8814 },
    { zh: "伊克乌兰乡", en: "Yikewulan", latitude: 37.4529, longitude: 100.2336 },
  ];
  const ENTITY_CLASSES = new Set([
    "bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre",
    "blockquote", "expandable_blockquote", "bot_command", "mention", "hashtag",
  ]);
  const TYPING_MS = 5000;
  const PRESS_TIMEOUT_MS = 15000;

  const state = {
    lang: localStorage.getItem("sandbox.lang") === "en" ? "en" : "zh",
    users: [],
    usersById: new Map(),
    bot: null,
    me: null,
    chats: [],
    chat: null,
    messages: new Map(),
    nodes: new Map(),
    cursor: 0,
    unread: new Map(),
    replyTo: null,
    editing: null,
    dismissedForceReplies: new Set(),
    keyboardToggles: new Map(),
    pendingPresses: new Map(),
    actionMessage: null,
    typingTimer: null,
    renderTimer: null,
  };

  const $ = (id) => document.getElementById(id);

  function t(key, vars) {
    let text = STRINGS[state.lang][key] ?? STRINGS.zh[key] ?? key;
    for (const [name, value] of Object.entries(vars || {})) text = text.replace(`{${name}}`, String(value));
    return text;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    const response = await fetch(`/control${path}`, init);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  function fail(error) {
    toast(t("error", { message: error.message || String(error) }));
  }

  function toast(text) {
    const node = $("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { node.hidden = true; }, 2800);
  }

  function showAlert(text) {
    $("alert-text").textContent = text;
    $("alert").hidden = false;
  }

  // --- names and small pieces --------------------------------------------------------------------

  function fullName(user) {
    if (!user) return "?";
    return [user.first_name, user.last_name].filter(Boolean).join(" ") || String(user.id);
  }

  function avatar(name, id) {
    const node = el("span", "avatar", Array.from(name || "?")[0]);
    node.style.background = `hsl(${(Math.abs(Number(id)) * 47) % 360} 50% 52%)`;
    return node;
  }

  function nameColor(id) {
    return `hsl(${(Math.abs(Number(id)) * 47) % 360} 55% 38%)`;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch {
      return null;
    }
  }

  function fileUrl(fileId) {
    return `/control/files/${encodeURIComponent(fileId)}`;
  }

  function formatTime(seconds) {
    const date = new Date(seconds * 1000);
    return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
  }

  function preview(message) {
    if (message.text) return message.text;
    const kind = message.photo ? t("photo") : message.document ? t("document") : message.location ? t("location") : "";
    return [kind, message.caption].filter(Boolean).join(" ");
  }

  function isMine(message) {
    return !message.from_bot && message.from && state.me && message.from.id === state.me.id;
  }

  // --- screens -----------------------------------------------------------------------------------

  function showScreen(name) {
    for (const screen of ["users", "chats", "chat"]) $(`screen-${screen}`).hidden = screen !== name;
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    }
    for (const node of document.querySelectorAll("[data-i18n-title]")) {
      node.title = t(node.dataset.i18nTitle);
      node.setAttribute("aria-label", node.title);
    }
    $("lang-toggle").textContent = state.lang === "zh" ? "EN" : "中文";
    renderPresets();
    renderUsers();
    if (state.me) renderChats();
    if (state.chat) {
      renderHeader();
      renderAllMessages();
    }
  }

  // --- who am I ----------------------------------------------------------------------------------

  async function loadUsers() {
    const { users } = await api("GET", "/users");
    state.users = users;
    state.usersById = new Map(users.map((user) => [user.id, user]));
    renderUsers();
  }

  function renderUsers() {
    const query = $("user-search").value.trim().toLowerCase();
    const list = $("user-list");
    list.replaceChildren();
    for (const user of state.users) {
      const haystack = [fullName(user), user.username, user.note, String(user.id)];
      if (query && !haystack.some((value) => value && value.toLowerCase().includes(query))) continue;
      const row = el("button", "row");
      row.type = "button";
      row.append(avatar(fullName(user), user.id));
      const body = el("span", "row-body");
      body.append(el("span", "row-title", fullName(user)));
      const hint = [user.username ? `@${user.username}` : null, user.note].filter(Boolean).join(" · ");
      body.append(el("span", "row-sub", hint || `id ${user.id}`));
      row.append(body);
      row.addEventListener("click", () => chooseUser(user.id).catch(fail));
      const item = el("li");
      item.append(row);
      list.append(item);
    }
    $("user-empty").hidden = state.users.length > 0;
  }

  async function chooseUser(userId) {
    state.me = state.usersById.get(userId) || null;
    if (!state.me) {
      showScreen("users");
      return;
    }
    localStorage.setItem("sandbox.user", String(userId));
    state.unread.clear();
    $("me-name").textContent = fullName(state.me);
    await loadChats();
    showScreen("chats");
  }

  // --- chat list ---------------------------------------------------------------------------------

  async function loadBot() {
    state.bot = await api("GET", "/bot");
  }

  async function loadChats() {
    const { chats } = await api("GET", `/chats?member=${state.me.id}`);
    state.chats = chats;
    renderChats();
  }

  function privateChat() {
    const bot = state.bot ? state.bot.user : { first_name: "Bot", id: 0 };
    return { id: state.me.id, type: "private", title: bot.first_name, members: [state.me.id], bot_status: "member" };
  }

  function chatSubtitle(chat) {
    if (chat.type === "private") return state.bot ? `${t("privateChat")} · @${state.bot.user.username}` : t("privateChat");
    const parts = [t(chat.type), t("members", { n: chat.members.length })];
    if (chat.bot_status === "kicked") parts.push(t("botKicked"));
    else if (chat.bot_status === "left") parts.push(t("botLeft"));
    else if (chat.bot_status === "administrator") parts.push(t("botAdmin"));
    return parts.join(" · ");
  }

  function renderChats() {
    const list = $("chat-list");
    list.replaceChildren();
    if (!state.me) return;
    for (const chat of [privateChat(), ...state.chats]) {
      const row = el("button", "row");
      row.type = "button";
      row.append(avatar(chat.title, chat.id));
      const body = el("span", "row-body");
      body.append(el("span", "row-title", chat.title || String(chat.id)));
      body.append(el("span", "row-sub", chatSubtitle(chat)));
      row.append(body);
      const unread = state.unread.get(chat.id);
      if (unread) row.append(el("span", "badge", String(unread)));
      row.addEventListener("click", () => openChat(chat).catch(fail));
      const item = el("li");
      item.append(row);
      list.append(item);
    }
  }

  function scheduleChatListRender() {
    clearTimeout(state.renderTimer);
    state.renderTimer = setTimeout(() => {
      renderUsers();
      if (state.me) loadChats().catch(fail);
    }, 150);
  }

  // --- a chat ------------------------------------------------------------------------------------

  async function openChat(chat) {
    state.chat = chat;
    state.replyTo = null;
    state.editing = null;
    state.unread.delete(chat.id);
    closePopups();
    const { messages } = await api("GET", `/chats/${chat.id}/messages`);
    state.messages = new Map(messages.map((message) => [message.message_id, message]));
    renderHeader();
    renderAllMessages();
    showScreen("chat");
    scrollToBottom();
    $("text-input").focus();
  }

  function renderHeader() {
    $("chat-title").textContent = state.chat.title || String(state.chat.id);
    $("chat-subtitle").textContent = state.typingTimer ? t("typing") : chatSubtitle(state.chat);
  }

  function nearBottom() {
    const box = $("messages");
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function scrollToBottom() {
    const box = $("messages");
    box.scrollTop = box.scrollHeight;
  }

  function orderedMessages() {
    return [...state.messages.values()].sort((a, b) => a.message_id - b.message_id);
  }

  function renderAllMessages() {
    const box = $("messages");
    box.replaceChildren();
    state.nodes.clear();
    const messages = orderedMessages();
    if (!messages.length) box.append(el("div", "empty", t("noMessages")));
    for (const message of messages) {
      const node = renderMessage(message);
      state.nodes.set(message.message_id, node);
      box.append(node);
    }
    updateComposer();
  }

  function upsertMessage(message) {
    const stick = nearBottom() || isMine(message);
    const known = state.nodes.get(message.message_id);
    state.messages.set(message.message_id, message);
    if (message.deleted) {
      removeMessage(message.message_id);
      return;
    }
    const node = renderMessage(message);
    if (known) {
      known.replaceWith(node);
    } else {
      const box = $("messages");
      box.querySelector(":scope > .empty")?.remove();
      const later = orderedMessages().find((other) => other.message_id > message.message_id);
      const anchor = later ? state.nodes.get(later.message_id) : null;
      box.insertBefore(node, anchor || null);
    }
    state.nodes.set(message.message_id, node);
    updateComposer();
    if (stick) scrollToBottom();
  }

  function removeMessage(messageId) {
    state.messages.delete(messageId);
    state.nodes.get(messageId)?.remove();
    state.nodes.delete(messageId);
    if (state.replyTo === messageId) state.replyTo = null;
    if (state.editing === messageId) state.editing = null;
    updateComposer();
  }

  function renderMessage(message) {
    const mine = isMine(message);
    const wrap = el("div", `msg ${mine ? "mine" : "theirs"}${message.from_bot ? " from-bot" : ""}`);
    const bubble = el("div", "bubble");
    if (!mine && state.chat.type !== "private") {
      const sender = el("div", "sender", fullName(message.from));
      sender.style.color = nameColor(message.from ? message.from.id : 0);
      bubble.append(sender);
    }
    if (message.reply_to_message) bubble.append(renderQuote(message.reply_to_message));
    if (message.photo && message.photo.length) {
      const image = el("img", "photo");
      image.src = fileUrl(message.photo[message.photo.length - 1].file_id);
      image.alt = t("photo");
      image.addEventListener("load", () => { if (nearBottom()) scrollToBottom(); });
      image.addEventListener("click", () => window.open(image.src, "_blank", "noopener"));
      bubble.append(image);
    }
    if (message.document) {
      const link = el("a", "document", `📄 ${message.document.file_name || "file"}`);
      link.href = fileUrl(message.document.file_id);
      link.download = message.document.file_name || "file";
      bubble.append(link);
    }
    if (message.location) {
      const { latitude, longitude } = message.location;
      bubble.append(el("div", "location", `📍 ${latitude.toFixed(5)}, ${longitude.toFixed(5)}`));
    }
    const hasText = message.text !== undefined && message.text !== null;
    const text = hasText ? message.text : message.caption;
    if (text) {
      const body = el("div", "text");
      body.append(renderEntities(text, (hasText ? message.entities : message.caption_entities) || []));
      bubble.append(body);
    }
    const meta = el("div", "meta");
    if (message.edit_count) meta.append(el("span", "edited", t("edited")));
    meta.append(el("span", "time", formatTime(message.edit_date || message.date)));
    bubble.append(meta);
    bubble.addEventListener("click", (event) => {
      if (event.target.closest("a, button, img, .e-spoiler")) return;
      openActions(message);
    });
    wrap.append(bubble);
    const markup = message.reply_markup;
    if (markup && Array.isArray(markup.inline_keyboard)) wrap.append(renderInlineKeyboard(message, markup));
    return wrap;
  }

  function renderQuote(replied) {
    const quote = el("div", "quote");
    const name = el("div", "quote-name", fullName(replied.from));
    name.style.color = nameColor(replied.from ? replied.from.id : 0);
    quote.append(name, el("div", "quote-text", preview(replied)));
    quote.addEventListener("click", (event) => {
      event.stopPropagation();
      state.nodes.get(replied.message_id)?.scrollIntoView({ block: "center", behavior: "smooth" });
    });
    return quote;
  }

  // Entities are UTF-16 offsets, which is exactly how JavaScript indexes strings.
  function renderEntities(text, entities) {
    const fragment = document.createDocumentFragment();
    const cuts = new Set([0, text.length]);
    for (const entity of entities) {
      cuts.add(Math.min(text.length, entity.offset));
      cuts.add(Math.min(text.length, entity.offset + entity.length));
    }
    const points = [...cuts].sort((a, b) => a - b);
    for (let index = 0; index < points.length - 1; index += 1) {
      const start = points[index];
      const end = points[index + 1];
      let node = document.createTextNode(text.slice(start, end));
      for (const entity of entities) {
        if (entity.offset <= start && entity.offset + entity.length >= end) node = wrapEntity(node, entity);
      }
      fragment.append(node);
    }
    return fragment;
  }

  function wrapEntity(child, entity) {
    let node;
    const url = entity.type === "text_link" ? safeUrl(entity.url) : null;
    if (url) {
      node = el("a");
      node.href = url;
      node.target = "_blank";
      node.rel = "noopener noreferrer";
    } else {
      node = el("span", ENTITY_CLASSES.has(entity.type) ? `e-${entity.type}` : "");
      if (entity.type === "spoiler") node.addEventListener("click", () => node.classList.add("revealed"));
    }
    node.append(child);
    return node;
  }

  // --- inline keyboards --------------------------------------------------------------------------

  function renderInlineKeyboard(message, markup) {
    const box = el("div", "inline-keyboard");
    for (const row of markup.inline_keyboard) {
      const line = el("div", "kb-row");
      for (const button of row) line.append(inlineButton(message, button));
      box.append(line);
    }
    return box;
  }

  function inlineButton(message, button) {
    const url = button.url ? safeUrl(button.url) : null;
    if (url) {
      const link = el("a", "kb-button", `${button.text} ↗`);
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    const node = el("button", "kb-button", button.text);
    node.type = "button";
    if (typeof button.callback_data === "string") {
      node.addEventListener("click", () => press(message, button, node));
    } else {
      node.classList.add("unsupported");
      node.addEventListener("click", () => toast(t("unsupportedButton")));
    }
    return node;
  }

  async function press(message, button, node) {
    node.classList.add("pending");
    try {
      const result = await api("POST", `/chats/${state.chat.id}/messages/${message.message_id}/press`, {
        from: state.me.id,
        callback_data: button.callback_data,
      });
      state.pendingPresses.set(result.callback_query_id, node);
      // Telegram clients stop waiting for an answer after a while; so does the page.
      setTimeout(() => {
        node.classList.remove("pending");
        state.pendingPresses.delete(result.callback_query_id);
      }, PRESS_TIMEOUT_MS);
    } catch (error) {
      node.classList.remove("pending");
      fail(error);
    }
  }

  // --- the composer: reply target, force reply, reply keyboard -----------------------------------

  function appliesToMe(message) {
    const markup = message.reply_markup;
    if (!markup || !markup.selective) return true;
    if (message.reply_to_message?.from?.id === state.me.id) return true;
    // A mention counts either way: "@username" in the text, or a text_mention of someone without a username.
    const entities = message.entities || message.caption_entities || [];
    if (entities.some((entity) => entity.type === "text_mention" && entity.user?.id === state.me.id)) return true;
    const text = message.text || message.caption || "";
    return Boolean(state.me.username) && text.includes(`@${state.me.username}`);
  }

  function composerContext() {
    let keyboard = null;
    let forceReply = null;
    let myLast = 0;
    for (const message of orderedMessages()) {
      if (isMine(message)) myLast = message.message_id;
      if (!message.from_bot || !message.reply_markup || !appliesToMe(message)) continue;
      const markup = message.reply_markup;
      if (Array.isArray(markup.keyboard)) keyboard = message;
      else if (markup.remove_keyboard) keyboard = null;
      else if (markup.force_reply) forceReply = message;
    }
    // Like Telegram clients: a force_reply puts the composer in reply mode until the user answers or cancels.
    if (forceReply && (forceReply.message_id < myLast || state.dismissedForceReplies.has(forceReply.message_id))) {
      forceReply = null;
    }
    return { keyboard, forceReply, myLast };
  }

  function replyTarget() {
    if (state.replyTo && state.messages.has(state.replyTo)) return state.messages.get(state.replyTo);
    return composerContext().forceReply;
  }

  function keyboardVisible(keyboardMessage, myLast) {
    const toggled = state.keyboardToggles.get(keyboardMessage.message_id);
    if (toggled !== undefined) return toggled;
    return !(keyboardMessage.reply_markup.one_time_keyboard && myLast > keyboardMessage.message_id);
  }

  function updateComposer() {
    if (!state.chat || !state.me) return;
    const { keyboard, forceReply, myLast } = composerContext();
    const bar = $("reply-bar");
    const input = $("text-input");
    const target = state.editing ? null : replyTarget();
    if (state.editing) {
      bar.hidden = false;
      $("reply-label").textContent = t("editing");
      $("reply-preview").textContent = preview(state.messages.get(state.editing) || {});
    } else if (target) {
      bar.hidden = false;
      $("reply-label").textContent = t("replyTo", { name: fullName(target.from) });
      $("reply-preview").textContent = preview(target);
    } else {
      bar.hidden = true;
    }
    const placeholderSource = forceReply || keyboard;
    input.placeholder = placeholderSource?.reply_markup.input_field_placeholder || t("message");

    const keyboardBox = $("reply-keyboard");
    keyboardBox.replaceChildren();
    $("keyboard-button").hidden = !keyboard;
    keyboardBox.hidden = !keyboard || !keyboardVisible(keyboard, myLast);
    if (!keyboard) return;
    for (const row of keyboard.reply_markup.keyboard) {
      const line = el("div", "kb-row");
      for (const button of row) {
        const spec = typeof button === "string" ? { text: button } : button;
        const node = el("button", "kb-button", spec.text);
        node.type = "button";
        node.addEventListener("click", () => pressReplyKeyboard(keyboard, spec).catch(fail));
        line.append(node);
      }
      keyboardBox.append(line);
    }
  }

  async function pressReplyKeyboard(keyboardMessage, button) {
    if (button.request_location) {
      openLocationPanel();
      return;
    }
    if (button.request_contact || button.request_users || button.request_chat || button.request_poll) {
      toast(t("requestContact"));
      return;
    }
    if (keyboardMessage.reply_markup.one_time_keyboard) state.keyboardToggles.set(keyboardMessage.message_id, false);
    // In groups a keyboard button's text goes out as a reply to the keyboard's message, so that a bot in
    // privacy mode receives it — Telegram clients do the same.
    const target = replyTarget() || (state.chat.type === "private" ? null : keyboardMessage);
    await postText(button.text, target);
  }

  async function postText(text, target) {
    const result = await api("POST", `/chats/${state.chat.id}/messages`, {
      from: state.me.id,
      text,
      reply_to: target ? target.message_id : null,
    });
    state.replyTo = null;
    upsertMessage(result.message);
  }

  async function submitText() {
    const input = $("text-input");
    const text = input.value;
    if (!text.trim()) return;
    if (state.editing) {
      const result = await api("POST", `/chats/${state.chat.id}/messages/${state.editing}/edit`, {
        from: state.me.id,
        text,
      });
      state.editing = null;
      input.value = "";
      upsertMessage(result.message);
      return;
    }
    await postText(text, replyTarget());
    input.value = "";
  }

  async function sendPhoto(file) {
    const input = $("text-input");
    const form = new FormData();
    form.append("from", String(state.me.id));
    form.append("photo", file, file.name);
    if (input.value.trim() && !state.editing) form.append("caption", input.value);
    const target = replyTarget();
    if (target) form.append("reply_to", String(target.message_id));
    const result = await api("POST", `/chats/${state.chat.id}/photos`, form);
    input.value = "";
    state.replyTo = null;
    upsertMessage(result.message);
  }

  async function sendLocation() {
    const latitude = Number($("latitude").value);
    const longitude = Number($("longitude").value);
    const valid = $("latitude").value !== "" && $("longitude").value !== ""
      && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
    if (!valid) {
      toast(t("badLocation"));
      return;
    }
    const target = replyTarget();
    const result = await api("POST", `/chats/${state.chat.id}/locations`, {
      from: state.me.id,
      latitude,
      longitude,
      reply_to: target ? target.message_id : null,
    });
    $("location-panel").hidden = true;
    state.replyTo = null;
    upsertMessage(result.message);
  }

  function renderPresets() {
    const box = $("location-presets");
    box.replaceChildren();
    for (const preset of PRESETS) {
      const node = el("button", "preset", preset[state.lang]);
      node.type = "button";
      node.addEventListener("click", () => {
        $("latitude").value = String(preset.latitude);
        $("longitude").value = String(preset.longitude);
      });
      box.append(node);
    }
  }

  function openLocationPanel() {
    closePopups();
    $("location-panel").hidden = false;
  }

  function closePopups() {
    $("location-panel").hidden = true;
    $("command-menu").hidden = true;
    $("actions").hidden = true;
  }

  // Telegram's lookup order for the command list a user sees, most specific scope first.
  function visibleCommands() {
    if (!state.bot) return [];
    const language = (state.me.language_code || "").slice(0, 2);
    const chat = state.chat;
    const isAdmin = chat.type !== "private" && (chat.admins.includes(state.me.id) || chat.owner === state.me.id);
    const scopes = chat.type === "private"
      ? [{ type: "chat", chat_id: chat.id }, { type: "all_private_chats" }, { type: "default" }]
      : [
        { type: "chat_member", chat_id: chat.id, user_id: state.me.id },
        ...(isAdmin ? [{ type: "chat_administrators", chat_id: chat.id }] : []),
        { type: "chat", chat_id: chat.id },
        ...(isAdmin ? [{ type: "all_chat_administrators" }] : []),
        { type: "all_group_chats" },
        { type: "default" },
      ];
    const sameScope = (a, b) => a.type === b.type && Number(a.chat_id ?? 0) === Number(b.chat_id ?? 0)
      && Number(a.user_id ?? 0) === Number(b.user_id ?? 0);
    for (const scope of scopes) {
      for (const lang of language ? [language, ""] : [""]) {
        const set = state.bot.commands.find((entry) => sameScope(entry.scope, scope) && entry.language_code === lang);
        if (set) return set.commands;
      }
    }
    return [];
  }

  function toggleCommandMenu() {
    const menu = $("command-menu");
    const wasOpen = !menu.hidden;
    closePopups();
    if (wasOpen) return;
    menu.replaceChildren();
    const commands = visibleCommands();
    if (!commands.length) menu.append(el("div", "empty", t("noCommands")));
    for (const command of commands) {
      const node = el("button", "command");
      node.type = "button";
      node.append(el("span", "command-name", `/${command.command}`), el("span", "command-text", command.description));
      node.addEventListener("click", () => {
        closePopups();
        postText(`/${command.command}`, replyTarget()).catch(fail);
      });
      menu.append(node);
    }
    menu.hidden = false;
  }

  function openActions(message) {
    closePopups();
    state.actionMessage = message;
    $("action-edit").hidden = !(isMine(message) && typeof message.text === "string");
    $("actions").hidden = false;
  }

  // --- live changes ------------------------------------------------------------------------------

  function isMyChat(chatId) {
    return state.me && (chatId === state.me.id || state.chats.some((chat) => chat.id === chatId));
  }

  function handleEvent(event) {
    const current = state.chat && event.chat_id === state.chat.id;
    switch (event.kind) {
      case "message":
      case "edit":
        if (current) upsertMessage(event.message);
        else if (event.kind === "message" && isMyChat(event.chat_id) && !isMine(event.message)) {
          state.unread.set(event.chat_id, (state.unread.get(event.chat_id) || 0) + 1);
          renderChats();
        }
        if (current && event.message.from_bot) stopTyping();
        break;
      case "delete":
        if (current) removeMessage(event.message_id);
        break;
      case "callback_answer":
        if (!state.me || event.user_id !== state.me.id) break;
        state.pendingPresses.get(event.callback_query_id)?.classList.remove("pending");
        state.pendingPresses.delete(event.callback_query_id);
        if (event.text) (event.show_alert ? showAlert : toast)(event.text);
        break;
      case "chat_action":
        if (current) startTyping();
        break;
      case "chat":
        if (state.chat && event.chat.id === state.chat.id) {
          state.chat = event.chat;
          renderHeader();
        }
        scheduleChatListRender();
        break;
      case "user":
        state.usersById.set(event.user.id, event.user);
        state.users = [...state.usersById.values()];
        if (state.me && event.user.id === state.me.id) state.me = event.user;
        scheduleChatListRender();
        break;
      case "bot":
        loadBot().catch(fail);
        break;
      case "reset":
        restart().catch(fail);
        break;
      default:
        break;
    }
  }

  function startTyping() {
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(stopTyping, TYPING_MS);
    renderHeader();
  }

  function stopTyping() {
    clearTimeout(state.typingTimer);
    state.typingTimer = null;
    if (state.chat) renderHeader();
  }

  async function pollEvents() {
    for (;;) {
      try {
        const page = await api("GET", `/events?after=${state.cursor}&timeout=25&limit=500`);
        $("offline").hidden = true;
        if (page.last_id < state.cursor) {
          // The emulator restarted: its event ids start again from zero.
          state.cursor = 0;
          await restart();
          continue;
        }
        for (const event of page.events) {
          state.cursor = event.id;
          handleEvent(event);
        }
      } catch {
        $("offline").hidden = false;
        await new Promise((resolve) => { setTimeout(resolve, 2000); });
      }
    }
  }

  async function restart() {
    await Promise.all([loadUsers(), loadBot()]);
    const keep = state.me && state.usersById.get(state.me.id);
    if (!keep) {
      state.me = null;
      state.chat = null;
      showScreen("users");
      return;
    }
    await chooseUser(keep.id);
  }

  // --- wiring ------------------------------------------------------------------------------------

  function wire() {
    $("lang-toggle").addEventListener("click", () => {
      state.lang = state.lang === "zh" ? "en" : "zh";
      localStorage.setItem("sandbox.lang", state.lang);
      applyLanguage();
    });
    $("user-search").addEventListener("input", renderUsers);
    $("switch-user").addEventListener("click", () => {
      state.chat = null;
      showScreen("users");
      $("user-search").focus();
    });
    $("back").addEventListener("click", () => {
      state.chat = null;
      closePopups();
      renderChats();
      showScreen("chats");
    });
    $("send-form").addEventListener("submit", (event) => {
      event.preventDefault();
      submitText().catch(fail);
    });
    $("photo-button").addEventListener("click", () => $("photo-input").click());
    $("photo-input").addEventListener("change", () => {
      const [file] = $("photo-input").files;
      $("photo-input").value = "";
      if (file) sendPhoto(file).catch(fail);
    });
    $("location-button").addEventListener("click", () => {
      if ($("location-panel").hidden) openLocationPanel();
      else closePopups();
    });
    $("location-cancel").addEventListener("click", closePopups);
    $("location-send").addEventListener("click", () => sendLocation().catch(fail));
    $("command-button").addEventListener("click", toggleCommandMenu);
    $("keyboard-button").addEventListener("click", () => {
      const { keyboard, myLast } = composerContext();
      if (!keyboard) return;
      state.keyboardToggles.set(keyboard.message_id, !keyboardVisible(keyboard, myLast));
      updateComposer();
    });
    $("reply-cancel").addEventListener("click", () => {
      if (state.editing) {
        state.editing = null;
        $("text-input").value = "";
      } else if (state.replyTo) {
        state.replyTo = null;
      } else {
        const { forceReply } = composerContext();
        if (forceReply) state.dismissedForceReplies.add(forceReply.message_id);
      }
      updateComposer();
    });
    $("action-reply").addEventListener("click", () => {
      state.replyTo = state.actionMessage.message_id;
      state.editing = null;
      closePopups();
      updateComposer();
      $("text-input").focus();
    });
    $("action-edit").addEventListener("click", () => {
      state.editing = state.actionMessage.message_id;
      state.replyTo = null;
      $("text-input").value = state.actionMessage.text;
      closePopups();
      updateComposer();
      $("text-input").focus();
    });
    $("action-cancel").addEventListener("click", closePopups);
    $("actions").addEventListener("click", (event) => { if (event.target === $("actions")) closePopups(); });
    $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
  }

  async function start() {
    wire();
    applyLanguage();
    // Take the cursor first: anything that changes while loading is replayed, and replays are idempotent.
    state.cursor = (await api("GET", "/events?after=0&limit=1")).last_id;
    await Promise.all([loadUsers(), loadBot()]);
    const params = new URLSearchParams(window.location.search);
    const userId = Number(params.get("user") || localStorage.getItem("sandbox.user"));
    if (userId && state.usersById.has(userId)) {
      await chooseUser(userId);
      const chatId = Number(params.get("chat"));
      const chat = chatId === userId ? privateChat() : state.chats.find((candidate) => candidate.id === chatId);
      if (chat) await openChat(chat);
    } else {
      showScreen("users");
    }
    pollEvents();
  }

  start().catch((error) => {
    $("offline").hidden = false;
    fail(error);
  });
})();
