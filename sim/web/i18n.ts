/**
 * The pages' words in Japanese and English. The language is the visitor's choice
 * (`?lang=` sets a cookie), else the first of Accept-Language that we have, else
 * Japanese (the service is docomo's).
 */
export type Lang = "ja" | "en";

export const LANGS: Lang[] = ["ja", "en"];

const WORDS = {
  siteName: { ja: "ワンナンバーサービス管理サイト", en: "One Number management site" },
  liveName: { ja: "共有回線ライブビュー", en: "Shared line live view" },
  liveLink: { ja: "ライブビュー", en: "Live view" },
  manageLink: { ja: "管理サイト", en: "Management site" },
  signIn: { ja: "ログイン", en: "Sign in" },
  signOut: { ja: "ログアウト", en: "Sign out" },
  signInLead: {
    ja: "スマートフォンの電話番号とネットワーク暗証番号を入力してください。",
    en: "Enter your smartphone's phone number and your network PIN.",
  },
  number: { ja: "電話番号", en: "Phone number" },
  pin: { ja: "ネットワーク暗証番号(4桁)", en: "Network PIN (4 digits)" },
  badNumber: { ja: "電話番号の形式が正しくありません(例: 09012345678 / +819012345678)。", en: "That is not a phone number (e.g. 09012345678 or +819012345678)." },
  badPin: { ja: "電話番号またはネットワーク暗証番号が違います。", en: "The phone number or the network PIN is wrong." },
  locked: { ja: "誤入力が続いたため、このセッションでのログインを停止しました。ブラウザを開き直してください。", en: "Too many wrong PINs: sign-in is stopped for this session. Open the site again." },
  noContractTitle: { ja: "ご利用いただけません", en: "Not available" },
  noContract: {
    ja: "ワンナンバーサービスのご契約がないため、このサイトはご利用いただけません。",
    en: "This site is for One Number subscribers, and this number has no One Number contract.",
  },
  devicesTitle: { ja: "登録中のアクセサリ端末", en: "Registered accessories" },
  friendlyName: { ja: "端末名", en: "Name" },
  model: { ja: "機種", en: "Model" },
  imeiLast4: { ja: "IMEI(下4桁)", en: "IMEI (last 4)" },
  registeredAt: { ja: "登録日時", en: "Registered" },
  state: { ja: "状態", en: "State" },
  registered: { ja: "登録済み", en: "registered" },
  notReachable: { ja: "接続できません", en: "not reachable" },
  smsPriority: { ja: "SMS優先", en: "SMS priority" },
  none: { ja: "登録中のアクセサリ端末はありません。", en: "No accessory is registered." },
  unregister: { ja: "登録解除", en: "Unregister" },
  confirmTitle: { ja: "登録解除の確認", en: "Confirm unregistration" },
  confirmText: {
    ja: "次のアクセサリ端末の登録を解除します。解除すると、この端末では着信・発信・SMSができなくなります(通話中の場合は通話終了後に解除されます)。",
    en: "This accessory will be unregistered. It will no longer receive or make calls or SMS (during a call, it is unregistered when the call ends).",
  },
  cancel: { ja: "キャンセル", en: "Cancel" },
  termsTitle: { ja: "ワンナンバーご利用規約の改定", en: "New One Number terms" },
  termsLead: {
    ja: "ワンナンバーのご利用規約が改定されました。アクセサリ端末を新たに登録するには、改定後の規約に同意してください。",
    en: "The One Number terms have changed. To register another accessory, accept the new terms.",
  },
  termsAccept: { ja: "同意する", en: "Accept" },
  termsAccepted: { ja: "ご利用規約に同意しました。スマートフォンで登録が続きます。", en: "Terms accepted. The registration goes on on your smartphone." },
  termsNotice: { ja: "改定されたご利用規約への同意が必要です", en: "New terms wait for your acceptance" },
  inProgress: { ja: "登録手続き中", en: "Registrations in progress" },
  progressWebsheet: { ja: "ご利用規約への同意待ち", en: "waiting for the new terms to be accepted" },
  progressDelayed: { ja: "プロファイル準備中(スマートフォンが自動で再確認します)", en: "the profile is being prepared; the smartphone asks again by itself" },
  progressDeleting: { ja: "古いプロファイルを端末から削除中", en: "deleting the old profile on the accessory" },
  unregistered: { ja: "登録を解除しました", en: "Unregistered" },
  multiDevice: { ja: "マルチデバイスオプション", en: "Multi-device option" },
  multiDeviceLead: {
    ja: "最大5台までのアクセサリ端末を同時に利用できます。この画面の端末一覧と登録解除はオプション契約中にご利用いただけます。",
    en: "Up to five accessories at the same time. The device list and unregistering on this site come with the option.",
  },
  on: { ja: "契約中", en: "on" },
  off: { ja: "未契約", en: "off" },
  turnOn: { ja: "申し込む", en: "Turn on" },
  turnOff: { ja: "解約する", en: "Turn off" },
  optionOn: { ja: "マルチデバイスオプションを申し込みました", en: "The Multi-device option is on" },
  optionOff: { ja: "マルチデバイスオプションを解約しました", en: "The Multi-device option is off" },
  tooMany: {
    ja: "オプションを解約するには、アクセサリ端末を1台以下にしてください。",
    en: "Unregister accessories first: without the option at most one accessory is allowed.",
  },
  unknownDevice: { ja: "その端末は登録されていません。", en: "That accessory is not registered." },
  expired: { ja: "画面の有効期限が切れました。もう一度お試しください。", en: "This page has expired. Please try again." },
  language: { ja: "English", en: "日本語" },
  simNote: {
    ja: "シミュレータ: どの番号もネットワーク暗証番号は",
    en: "Simulator: every number's network PIN is",
  },
} as const;

export type WordKey = keyof typeof WORDS;

export function t(lang: Lang, key: WordKey): string {
  return WORDS[key][lang];
}

/** The first language of an Accept-Language header that we have (q-values honoured), else undefined. */
export function fromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(",")
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find((m) => m);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const base = r.tag.split("-")[0];
    if (base === "ja" || base === "en") return base;
  }
  return undefined;
}
