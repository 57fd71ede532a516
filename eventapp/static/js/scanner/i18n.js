// Every string of the scanner, in Japanese (the default) and English: the device's choice is kept in
// localStorage and sent to the API as Accept-Language, so the server's explanations match.
const STRINGS = {
  ja: {
    title: "受付スキャナー",
    unpaired_title: "この端末はまだ登録されていません",
    unpaired_body: "事務局の「受付端末」ページに表示されるペアリング用QRコードを、この端末のカメラで読み取ってください。",
    off_title: "この端末は無効です",
    off_body: "事務局がこの端末を停止しました。受付を続けるには、事務局に新しいペアリング用QRコードを表示してもらってください。",
    closed_title: "受付は終了しました",
    closed_body: "この受付の受付時間は終わりました。続ける必要がある場合は事務局に連絡してください。",
    pairing: "端末を確認しています…",
    direction_in: "入場",
    direction_out: "退場",
    direction_label: "方向",
    camera_on: "カメラ開始",
    camera_off: "カメラ停止",
    camera_starting: "カメラを起動しています…",
    camera_unavailable: "カメラが使えません。USBスキャナーかコード入力、または検索を使ってください。",
    camera_hint: "QRコードを枠に合わせてください",
    code_label: "コード入力（USBスキャナー）",
    code_placeholder: "読み取り、または入力してEnter",
    code_submit: "確認",
    search: "検索",
    walkin: "当日受付",
    undo: "直前を取り消す",
    undo_nothing: "取り消せるスキャンはありません。",
    undo_dropped: "送信待ちのスキャンを取り消しました。",
    language: "English",
    pending: (n) => `送信待ち ${n}件`,
    offline: "オフライン",
    offline_banner: (n) => `オフライン：端末の名簿で判定しています。送信待ち ${n}件は接続が戻ると送られます。`,
    sending: (n) => `送信待ち ${n}件を送っています…`,
    online: "オンライン",
    flagged_title: "要確認",
    flagged_body: "オフライン中に入場させた次のスキャンは、サーバーで規則違反と判定されました。本人を確認してください。",
    flagged_clear: "確認済みにする",
    ok_title: "入場OK",
    out_title: "退場OK",
    already_title: "受付済み",
    refused_title: "入場できません",
    first_at: (time, device) => `最初の受付 ${time}（${device}）`,
    first_at_unknown: "受付済み（時刻不明）",
    offline_note: "オフライン判定（送信待ち）",
    tap_to_close: "タップして閉じる",
    print: "名札を再印刷",
    printing: "名札を印刷しています…",
    print_failed: "名札を印刷できませんでした。",
    category: "参加区分",
    group: "グループ",
    company: "会社名",
    receipt_code: "受付番号",
    search_label: "名前・フリガナ・会社名・受付番号",
    search_submit: "検索",
    search_close: "閉じる",
    search_none: "見つかりませんでした。",
    search_offline: "オフライン：端末の名簿から検索しています。",
    status_inside: "入場済み",
    status_not_yet: "未入場",
    status_cancelled: "キャンセル",
    status_waitlisted: "キャンセル待ち",
    check_in_this: "この人を受付",
    walkin_title: "当日受付",
    family_name: "姓",
    given_name: "名",
    family_kana: "セイ",
    given_kana: "メイ",
    company_name: "会社名",
    category_code: "参加区分",
    choose: "選択してください",
    required: "必須",
    walkin_submit: "登録して受付",
    walkin_cancel: "キャンセル",
    walkin_offline: "当日受付にはネットワークが必要です。接続が戻ってからもう一度送ってください。入力した内容は残っています。",
    walkin_failed: "送信できませんでした。もう一度送ってください。",
    errors_summary: "入力内容を確認してください。",
    missing_field: (label) => `${label}を入力してください。`,
    missing_choice: (label) => `${label}を選んでください。`,
    busy: "サーバーが混み合っています。少し待って自動でやり直します。",
    server_error: "サーバーで問題が起きました。もう一度スキャンしてください。",
    offline_invalid: "不明なコードです。当会の受付票ではありません。名前で検索してください。",
    offline_reissued: "古いコードです。この人には新しい名札が発行されています。新しい名札を見せてもらうか、名前で検索してください。",
    offline_cancelled: "この申込はキャンセルされています。受付デスクへご案内ください。",
    offline_waitlisted: "この人はキャンセル待ちで、席がありません。受付デスクへご案内ください。",
    offline_not_on_list: "この人はこの入口の対象ではありません（参加区分、または懇親会の申込なし）。",
    offline_not_checked_in: "この人はここで入場していないため、退場できません。",
    offline_already_out: "この人はすでに退場しています。",
    offline_no_roster: "名簿がまだ端末にありません。ネットワークにつないでください。",
    undone: "取り消しました。",
  },
  en: {
    title: "Door scanner",
    unpaired_title: "This device is not paired yet",
    unpaired_body: "Scan the pairing QR code shown on the organisers' “Devices” page with this device's camera.",
    off_title: "This device is switched off",
    off_body: "The organisers switched this device off. To go on, ask them to show a new pairing QR code.",
    closed_title: "Check-in is closed",
    closed_body: "Check-in at this point is over. Contact the organisers if it must go on.",
    pairing: "Checking this device…",
    direction_in: "In",
    direction_out: "Out",
    direction_label: "Direction",
    camera_on: "Start camera",
    camera_off: "Stop camera",
    camera_starting: "Starting the camera…",
    camera_unavailable: "The camera is not available. Use a USB scanner, type the code, or search.",
    camera_hint: "Hold the QR code inside the frame",
    code_label: "Code (USB scanner)",
    code_placeholder: "Scan, or type and Enter",
    code_submit: "Check",
    search: "Search",
    walkin: "Walk-in",
    undo: "Undo last scan",
    undo_nothing: "There is no scan to undo.",
    undo_dropped: "The waiting scan was dropped.",
    language: "日本語",
    pending: (n) => `${n} waiting`,
    offline: "Offline",
    offline_banner: (n) => `Offline: verdicts come from this device's roster. ${n} waiting, sent when the network is back.`,
    sending: (n) => `Sending ${n} waiting…`,
    online: "Online",
    flagged_title: "Check these",
    flagged_body: "These scans admitted offline broke a rule, the server says. Check the person.",
    flagged_clear: "Mark as checked",
    ok_title: "Welcome",
    out_title: "Checked out",
    already_title: "Already checked in",
    refused_title: "Not admitted",
    first_at: (time, device) => `First checked in at ${time} (${device})`,
    first_at_unknown: "Checked in earlier (time unknown)",
    offline_note: "Offline verdict (waiting to send)",
    tap_to_close: "Tap to close",
    print: "Print badge again",
    printing: "Printing the badge…",
    print_failed: "The badge could not be printed.",
    category: "Category",
    group: "Group",
    company: "Company",
    receipt_code: "Receipt no.",
    search_label: "Name, furigana, company or receipt no.",
    search_submit: "Search",
    search_close: "Close",
    search_none: "Nobody found.",
    search_offline: "Offline: searching this device's roster.",
    status_inside: "Inside",
    status_not_yet: "Not arrived",
    status_cancelled: "Cancelled",
    status_waitlisted: "Waiting list",
    check_in_this: "Check in",
    walkin_title: "Walk-in registration",
    family_name: "Family name",
    given_name: "Given name",
    family_kana: "Family name (kana)",
    given_kana: "Given name (kana)",
    company_name: "Company",
    category_code: "Category",
    choose: "Choose one",
    required: "required",
    walkin_submit: "Register and check in",
    walkin_cancel: "Cancel",
    walkin_offline: "Walk-ins need the network. Send again when it is back; what you typed is kept.",
    walkin_failed: "It could not be sent. Send it again.",
    errors_summary: "Please check what you entered.",
    missing_field: (label) => `Enter the ${label.toLowerCase()}.`,
    missing_choice: (label) => `Choose the ${label.toLowerCase()}.`,
    busy: "The server is busy. Trying again shortly by itself.",
    server_error: "The server had a problem. Scan again.",
    offline_invalid: "Unknown code: this is not a reception ticket of ours. Look the person up by name.",
    offline_reissued: "Old code: a new badge was issued for this person, so this one no longer works. Ask for the new badge, or look the person up by name.",
    offline_cancelled: "This registration was cancelled. Send the person to the reception desk.",
    offline_waitlisted: "This person is on the waiting list and has no seat. Send them to the reception desk.",
    offline_not_on_list: "This person is not on the list for this entrance (category or 懇親会 not booked).",
    offline_not_checked_in: "This person has not checked in here, so they cannot check out.",
    offline_already_out: "This person has already checked out.",
    offline_no_roster: "The roster is not on this device yet. Connect to the network.",
    undone: "Undone.",
  },
};

const KEY = "scanner.lang";

/** Every character the scanner may show of its own, in both languages (to load their font slices early). */
export function allText() {
  return Object.values(STRINGS).flatMap((strings) => Object.values(strings))
    .map((value) => (typeof value === "function" ? value("0123456789", "00:00") : value)).join("");
}

export function language() {
  const chosen = localStorage.getItem(KEY);
  return chosen === "en" ? "en" : "ja";
}

export function setLanguage(lang) {
  localStorage.setItem(KEY, lang === "en" ? "en" : "ja");
}

export function t(key, ...args) {
  const value = STRINGS[language()][key] ?? STRINGS.ja[key] ?? key;
  return typeof value === "function" ? value(...args) : value;
}

/** Fill every [data-i18n] element (and [data-i18n-placeholder], [data-i18n-aria-label]) of the page. */
export function translatePage(root = document) {
  document.documentElement.lang = language();
  document.title = t("title");
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  // The language button is written in the language it switches to.
  for (const el of root.querySelectorAll("[data-action='language']")) el.lang = language() === "ja" ? "en" : "ja";
}

/** HH:MM in Tokyo, from an ISO time. */
export function tokyoTime(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  return new Intl.DateTimeFormat("ja-JP", {timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", hour12: false})
    .format(when);
}
