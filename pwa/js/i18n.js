// UI strings in Chinese (first) and English, and the current language.
// Kept as [zh, en] pairs so a missing translation is visible in review, not at run time.
// The language lives in localStorage because start-up needs it before IndexedDB opens.

const S = {
  app: ["现场审核", "Genba"],
  title: ["现场审核 Genba", "Genba audits"],
  online: ["在线", "Online"],
  offline: ["离线", "Offline"],
  onlyHere: ["仅存于本机", "Unsynced:"],
  unitAudits: ["条记录", "records"],
  unitPhotos: ["张照片", "photos"],
  syncNow: ["立即同步", "Sync now"],
  attention: ["需处理", "Attention"],
  // The console's 需关注 screen (views/console/attention.js), named in the console's nav.
  attentionNav: ["需关注", "Needs attention"],
  syncing: ["正在同步…", "Syncing…"],
  synced: ["已同步 {time}", "Synced {time}"],
  offlineWait: ["联网后自动同步", "Syncs when back online"],
  syncRetry: ["同步失败，{time} 重试", "Sync failed; retrying at {time}"],
  relogin: ["登录已过期，请重新登录", "Session expired: sign in again"],
  signInAgain: ["请重新登录", "Sign in again"],
  update: ["有新版本", "Update available"],
  reload: ["重新加载", "Reload"],
  updateWait: ["请先关闭审核页面，再重新加载", "Close the audit screen first, then reload"],
  langOther: ["English", "中文"],
  langLabel: ["切换语言", "Switch language"],
  loading: ["加载中…", "Loading…"],
  back: ["返回", "Back"],
  notFound: ["未找到", "Not found"],
  needsNetwork: ["此页面需要联网打开", "This screen needs the network to open"],
  // sign in
  signIn: ["登录", "Sign in"],
  username: ["用户名", "Username"],
  password: ["密码", "Password"],
  badLogin: ["用户名或密码错误", "Wrong username or password"],
  tooMany: ["登录失败次数过多，请 {s} 秒后再试", "Too many failed sign-ins: try again in {s} s"],
  noNetwork: ["无法连接服务器，请检查网络", "Cannot reach the server: check the network"],
  signOut: ["退出登录", "Sign out"],
  signOutPending: [
    "您还有 {n} 条记录（审核、整改、红牌）、{p} 张照片未同步。退出后它们仍保存在本机，其他人看不到，您重新登录后会自动同步。确定退出？",
    "{n} of your records (audits, actions, red tags) and {p} photos are not synced yet. They stay on this device, hidden from anyone else, and sync when you sign in again. Sign out?",
  ],
  signedInAs: ["当前用户：{name}", "Signed in as {name}"],
  // zones
  zones: ["区域", "Zones"],
  owner: ["责任人", "Owner"],
  lastScore: ["最近得分", "Last score"],
  none: ["暂无", "None yet"],
  due: ["待检查", "Due"],
  dueItem: ["{name}待做", "{name} due"],
  upToDate: ["均已按期检查", "Nothing due"],
  returnedHome: ["{n} 份审核被主管退回，请修改后重新提交", "{n} audits were returned by the supervisor: fix and submit again"],
  noData: ["尚无数据：请联网登录一次", "No data yet: sign in once while online"],
  workshop: ["维修车间", "Workshop"],
  warehouse: ["配件仓库", "Warehouse"],
  office: ["办公室", "Office"],
  showroom: ["展厅", "Showroom"],
  lounge: ["客户休息区", "Customer lounge"],
  // zone
  checklists: ["检查表", "Checklists"],
  start: ["开始", "Start"],
  continueDraft: ["继续草稿", "Continue draft"],
  draftExists: ["已有一份未完成的草稿（{at} 开始）。继续填写它，还是另开一份新的？", "There is an unfinished draft (started {at}). Continue it, or start a new one?"],
  startNew: ["另开一份", "Start a new one"],
  cancel: ["取消", "Cancel"],
  discardDraft: ["放弃草稿", "Discard draft"],
  discardConfirm: ["放弃这份草稿？已填写的内容和照片将从本机删除。", "Discard this draft? Its answers and photos are deleted from this device."],
  deviceOnly: ["仅在本机", "Only on this device"],
  needsAttention: ["需处理", "Needs attention"],
  localAudits: ["本机审核记录", "Audits on this device"],
  draft: ["草稿", "Draft"],
  submitted: ["已提交", "Submitted"],
  approved: ["已批准", "Approved"],
  returned: ["已退回", "Returned"],
  notSynced: ["待同步", "Not synced"],
  isSynced: ["已同步", "Synced"],
  review: ["主管意见", "Supervisor's comment"],
  reviewBy: ["{by}，{at}", "{by}, {at}"],
  unknownZone: ["未找到该区域", "Zone not found"],
  checklistMissing: ["该检查表尚未下载，请联网后重试", "This checklist is not on the device yet: go online and retry"],
  // runner
  sectionOf: ["第 {n}/{total} 部分", "Section {n} of {total}"],
  sections: ["部分", "Sections"],
  prev: ["上一部分", "Previous"],
  next: ["下一部分", "Next"],
  toSummary: ["检查并提交", "Review and submit"],
  na: ["不适用", "N/A"],
  pass: ["合格", "Pass"],
  fail: ["不合格", "Fail"],
  note: ["备注", "Note"],
  answer: ["回答", "Answer"],
  value: ["数值", "Value"],
  range: ["合格范围 {r}", "Accepted {r}"],
  notePrompt: ["不合格：请填写问题描述", "Fail: describe the problem in the note"],
  naNotePrompt: ["不适用：请在备注中说明原因", "N/A: say in the note why it does not apply here"],
  evidencePrompt: ["扣分必有依据：提交前请拍照或填写备注", "Every deduction needs its evidence: add a photo or a note before submitting"],
  redLine: ["红线：低于 {n} 分", "Red line below {n}"],
  photoPromptFail: ["不合格：请拍照记录问题", "Fail: take a photo of the finding"],
  photoPrompt: ["需要照片", "A photo is required"],
  takePhoto: ["拍照", "Take photo"],
  gallery: ["相册", "Gallery"],
  photoN: ["照片 {n}", "Photo {n}"],
  removePhoto: ["删除照片 {n}", "Remove photo {n}"],
  photoBusy: ["正在处理照片…", "Processing the photo…"],
  photoFailed: ["照片处理失败：{e}", "The photo could not be processed: {e}"],
  photoMax: ["最多 {n} 张", "At most {n}"],
  onServer: ["服务器上的照片", "Photo on the server"],
  critical: ["关键项", "Critical"],
  optional: ["选填", "Optional"],
  howTo: ["怎么查", "How to check"],
  score: ["得分", "Score"],
  capped: ["关键项不合格或触及红线，得分封顶", "A critical item failed or a red line was crossed: the score is capped"],
  // what the audit is about (a checklist's subject fields)
  subjectTitle: ["审核对象", "What this audit is about"],
  mustFill: ["必填", "Required"],
  pick: ["请选择", "Choose…"],
  subjPattern: ["格式不对（已输入 {n} 个字符），请核对后重新输入", "Not in the expected format ({n} characters typed): check it and type it again"],
  subjLength: ["最多 200 个字符", "At most 200 characters"],
  subjNumber: ["请输入数字", "Enter a number"],
  subjText: ["请输入文字", "Enter text"],
  subjDate: ["请输入有效日期", "Enter a real date"],
  subjOption: ["请从列表中选择", "Choose one from the list"],
  subjStaff: ["本机的员工名单里没有此人，请重新选择", "Not on this tablet's staff list: choose again"],
  subjUnknown: ["此检查表没有该字段", "This checklist has no such field"],
  otherSite: ["其他场所", "Other sites"],
  saved: ["已保存", "Saved"],
  saveFailed: ["保存失败！{e}", "Not saved! {e}"],
  readOnlySubmitted: ["已提交，等待主管审核，不能修改", "Submitted and waiting for review: read only"],
  readOnlyApproved: ["已批准，不能修改", "Approved: read only"],
  returnedBanner: ["主管退回，请修改后重新提交", "Returned by the supervisor: fix it and submit again"],
  answered: ["已答 {n}/{total}", "{n} of {total} answered"],
  radarTitle: ["各部分得分雷达图：{list}", "Radar chart of section scores: {list}"],
  // summary
  summary: ["提交前检查", "Check before submitting"],
  missingN: ["还缺 {n} 项", "{n} things missing"],
  allDone: ["必填内容已全部完成", "Everything required is done"],
  missAnswer: ["未作答", "not answered"],
  missPhoto: ["缺少照片", "photo missing"],
  missNote: ["缺少问题描述", "note missing"],
  missNaReason: ["缺少不适用原因", "reason for N/A missing"],
  missEvidence: ["缺少扣分依据（照片或备注）", "evidence for the deduction missing (a photo or a note)"],
  missSubject: ["未填写", "not filled in"],
  confirmSubmit: ["确认提交", "Submit"],
  backToAudit: ["返回修改", "Back to the audit"],
  submittedToast: ["已提交，联网后自动同步", "Submitted: it syncs when there is a network"],
  submittedSyncing: ["已提交，正在同步", "Submitted: syncing now"],
  // attention
  attentionTitle: ["需要处理", "Needs attention"],
  nothing: ["没有需要处理的事项", "Nothing needs attention"],
  conflict: ["冲突：服务器上已有另一版本（第 {r} 版，{status}）", "Conflict: the server has another version (revision {r}, {status})"],
  refused: ["服务器拒绝了这份审核（{code}）", "The server refused this audit ({code})"],
  item: ["项目", "Item"],
  mine: ["本机版本", "This device"],
  theirs: ["服务器版本", "Server"],
  sameAnswers: ["答案相同，仅其他字段不同", "Same answers; other fields differ"],
  keepMine: ["保留我的", "Keep mine"],
  takeServer: ["采用服务器版本", "Take the server's"],
  cannotKeep: ["服务器版本已提交或已批准，无法覆盖", "The server's copy is submitted or approved: it cannot be overwritten"],
  openAudit: ["打开审核", "Open the audit"],
  dismiss: ["知道了", "Dismiss"],
  photos: ["照片", "photos"],
  // corrective actions and red tags
  actions: ["整改项", "Corrective actions"],
  redTags: ["红牌", "Red tags"],
  newRedTag: ["新红牌", "New red tag"],
  zoneActions: ["本区域未关闭的整改项", "This zone's open actions"],
  zoneTags: ["本区域未处理的红牌", "This zone's open red tags"],
  all: ["全部", "All"],
  open: ["待整改", "Open"],
  reopened: ["重新打开", "Reopened"],
  done: ["已完成待验证", "Done, to verify"],
  verified: ["已验证", "Verified"],
  cancelled: ["已取消", "Cancelled"],
  tagOpen: ["未处理", "Open"],
  closed: ["已关闭", "Closed"],
  overdueN: ["逾期 {n} 天", "{n} days overdue"],
  overdueCount: ["逾期 {n}", "{n} overdue"],
  dueOn: ["期限 {d}", "Due {d}"],
  dueDate: ["整改期限", "Due"],
  before: ["整改前", "Before"],
  after: ["整改后", "After"],
  ageN: ["已挂 {n} 天", "Tagged {n} days"],
  overLimit: ["超过 {n} 天期限", "Past the {n}-day limit"],
  overLimitCount: ["超期 {n}", "{n} past the limit"],
  qty: ["数量", "Quantity"],
  reason: ["原因", "Reason"],
  proposed: ["建议处置", "Proposed"],
  disposition: ["处置方式", "Disposition"],
  discard: ["报废", "Discard"],
  move: ["移走", "Move"],
  keep: ["保留", "Keep"],
  sell: ["变卖", "Sell"],
  repair: ["维修", "Repair"],
  taggedAt: ["挂牌时间", "Tagged"],
  closedAt: ["关闭时间", "Closed at"],
  closeTag: ["关闭红牌", "Close the tag"],
  thing: ["物品", "Item"],
  tagPhotos: ["照片（1–5 张）", "Photos (1–5)"],
  saveTag: ["保存红牌", "Save the red tag"],
  needPhoto: ["请至少拍一张照片", "Take at least one photo"],
  qtyRange: ["数量须为 1–100000", "Quantity: 1 to 100000"],
  markDone: ["整改完成", "Mark as done"],
  whatDone: ["整改说明", "What was done"],
  needAfter: ["请先拍整改后照片", "Take a photo of the fix first"],
  needNote: ["请填写整改说明", "Describe what was done"],
  verify: ["验证通过", "Verify"],
  reopen: ["重新打开", "Reopen"],
  verifyNote: ["验证意见（重新打开时必填）", "Note (required to reopen)"],
  reopenWhy: ["重新打开请说明原因", "Say why it is reopened"],
  youOwn: ["您是该整改项的责任人，需由他人验证", "You own this action: someone else verifies it"],
  finalRec: ["已关闭，不能修改", "Closed: read only"],
  notOnDevice: ["本机没有此记录，请联网后打开", "Not on this device: open it while online"],
  tooLong: ["最多 {n} 个字", "At most {n} characters"],
  refusedRec: ["服务器拒绝了这条记录（{code}）", "The server refused this record ({code})"],
  discardMine: ["放弃我的修改", "Discard my change"],
  openRecord: ["打开", "Open"],
  status: ["状态", "Status"],
  zone: ["区域", "Zone"],
  // admin: the set-up screens (online only)
  admin: ["管理", "Admin"],
  toAudit: ["去审核 →", "Audit zones →"],
  // the supervisor's console (its other strings come with it: views/console/strings.js)
  console: ["主管工作台", "Supervisor console"],
  queueNav: ["审核队列", "Review queue"],
  reportsNav: ["报表", "Reports"],
  adminOnly: ["此页面仅供管理员使用", "This page is for admins only"],
  adminOffline: ["管理功能需要联网，请联网后再试", "Admin screens need the network: connect and try again"],
  setupSteps: ["顺序：场所 → 员工 → 区域及责任人 → 用户 → 打印标签", "In order: sites → staff → zones and owners → users → print the labels"],
  activeOf: ["在用 {n} / 共 {t}", "{n} active of {t}"],
  sites: ["场所", "Sites"],
  site: ["场所", "Site"],
  staff: ["员工", "Staff"],
  users: ["用户", "Users"],
  import: ["批量导入", "Import"],
  add: ["新建", "Add"],
  edit: ["编辑", "Edit"],
  save: ["保存", "Save"],
  retired: ["已停用", "Retired"],
  active: ["在用（取消勾选即停用）", "Active (untick to retire)"],
  id: ["编号", "ID"],
  newId: ["编号（小写字母、数字、- _）", "ID (a-z, 0-9, - _)"],
  name: ["名称", "Name"],
  nameEn: ["英文名称", "English name"],
  person: ["姓名", "Name"],
  kind: ["类型", "Kind"],
  employeeNo: ["工号", "Employee no."],
  position: ["职位", "Position"],
  noneOpt: ["（无）", "(none)"],
  choose: ["请选择", "Choose"],
  required: ["请填写此项", "Required"],
  fillIn: ["请填写标出的必填项", "Fill in the marked fields"],
  labels: ["二维码标签", "QR labels"],
  role: ["角色", "Role"],
  r_officer: ["6S管理员", "Officer"],
  r_supervisor: ["主管", "Supervisor"],
  r_admin: ["系统管理员", "Admin"],
  allSites: ["全部场所", "Every site"],
  staffMember: ["对应员工", "Staff member"],
  newPassword: ["新密码（留空不变）", "New password (blank: unchanged)"],
  sessionsNote: ["停用用户或设置新密码会立即结束其所有登录", "Disabling a user or a new password signs them out everywhere at once"],
  sessionsEnded: ["已保存，已结束 {n} 个登录", "Saved: {n} sessions ended"],
  noOwner: ["无责任人", "No owner"],
  history: ["历史", "History"],
  from: ["起始日期", "From"],
  to: ["截止日期", "To"],
  newPeriod: ["新的责任期", "New period"],
  share: ["比例 %", "Share %"],
  shareSum: ["合计 {n}%", "Total {n}%"],
  addOwner: ["添加责任人", "Add an owner"],
  remove: ["移除", "Remove"],
  periodHint: ["比例合计须为 100；全部移除即自该日起无责任人", "Shares add up to 100; remove everyone for no owner from that day"],
  importHelp: ["Excel（场所、区域、员工、责任人）或 YAML 文件：先检查，再导入。", "An Excel workbook (场所 区域 员工 责任人) or a YAML file: check it, then apply."],
  template: ["下载模板", "Download the template"],
  file: ["文件（.xlsx 或 .yaml）", "File (.xlsx or .yaml)"],
  check: ["检查文件", "Check the file"],
  checked: ["检查结果（尚未导入）", "Checked: nothing applied yet"],
  applied: ["已导入", "Imported"],
  apply: ["确认导入", "Apply"],
  counts: ["新建 {create}，更新 {update}，不变 {unchanged}", "{create} new, {update} changed, {unchanged} unchanged"],
  importErrors: ["{n} 处问题，未导入任何内容", "{n} problems: nothing imported"],
  sheet: ["工作表", "Sheet"],
  row: ["行", "Row"],
  action: ["操作", "Action"],
  fields: ["字段", "Fields"],
  cell: ["位置", "Cell"],
  problem: ["问题", "Problem"],
  // An import's change per row (the server's action names), kept apart from the shell's
  // "update" (a new app version).
  import_create: ["新建", "New"],
  import_update: ["更新", "Change"],
};

const KEY = "genba.lang";

function initial() {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === "zh" || saved === "en") return saved;
  } catch {
    // storage blocked: fall back to the browser's language
  }
  return (navigator.language || "zh").toLowerCase().startsWith("en") ? "en" : "zh";
}

let lang = initial();

/** More [zh, en] pairs, from an online-only module (the console's): kept out of the shell. */
export const addStrings = (pairs) => Object.assign(S, pairs);

export const getLang = () => lang;

/** Switch language; the caller re-renders. Also sets <html lang> for screen readers and fonts. */
export function setLang(next) {
  lang = next === "en" ? "en" : "zh";
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // not persisted; still switched for this page
  }
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
}

/** A UI string; `{name}` placeholders are filled from `vars`. */
export function t(key, vars) {
  const pair = S[key];
  const s = pair ? pair[lang === "en" ? 1 : 0] : key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? "")) : s;
}

/** A checklist Text {zh, en} (or a plain string) in the current language. */
export function text(value) {
  if (value == null) return "";
  if (typeof value === "string") return value;
  return (lang === "en" ? value.en || value.zh : value.zh || value.en) || "";
}

/** A site, zone or staff name: `name` is Chinese, `name_en` English. */
export const nameOf = (thing) => (thing ? (lang === "en" && thing.name_en) || thing.name : "");

/** A date-time the way people read it on the floor: 11-26 14:05, in the device's zone. */
export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleString(lang === "en" ? "en-GB" : "zh-CN", {
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}
