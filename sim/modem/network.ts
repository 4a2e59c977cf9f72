/**
 * The radio interface of a simulated modem: what a modem asks of the mobile network, and
 * what the network tells the modem. The modem knows nothing else about the network, so
 * any network can stand behind it: the small stub of `network-stub.ts` today, the
 * shared-number network (SPEC.md §13) later.
 *
 * Contract for implementers:
 * - Identifiers: the network names every call (`callId`) and every SMS delivery
 *   (`deliveryId`); they are unique per modem.
 * - Events reach the modem only through the `ModemNetworkListener` given to `attach`,
 *   never from inside one of the modem's calls to the network (deliver them on the clock,
 *   even with a 0 ms delay), and stop after `detach`.
 * - Causes are 3GPP TS 24.008 Table 10.5.123 call-control causes (16 normal clearing,
 *   17 user busy, 21 call rejected, 25 pre-emption, 26 non-selected user clearing,
 *   34 no circuit/channel available, ...). `causeText` may carry the IMS reason text
 *   (e.g. "Call completed elsewhere"); the modem shows it in +CEER.
 */

/** Who the modem is, as the network learns it when the modem attaches. */
export interface UeIdentity {
  imei: string;
  imsi: string;
  iccid: string;
}

/** 27.007 §7.2 / §10.1.22 registration `<stat>`. */
export const REG_NOT_SEARCHING = 0;
export const REG_HOME = 1;
export const REG_SEARCHING = 2;
export const REG_DENIED = 3;
export const REG_UNKNOWN = 4;
export const REG_ROAMING = 5;

export interface OperatorName {
  long: string;
  short: string;
  /** MCC and MNC digits, e.g. "44010". */
  numeric: string;
}

export interface Registration {
  /** 27.007 `<stat>`: 0 not registered, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming. */
  stat: number;
  /** Tracking/location area code and cell id (shown as hex in +CREG/+CEREG). */
  tac: number;
  ci: number;
  /** 27.007 `<AcT>`: 7 E-UTRAN. */
  act: number;
  operator: OperatorName;
}

export interface Signal {
  /** +CSQ `<rssi>` 0..31 (99 unknown) and `<ber>` 0..7 (99). */
  rssi: number;
  ber: number;
  /** +CESQ `<rsrq>` 0..34 and `<rsrp>` 0..97 (255 unknown). */
  rsrq: number;
  rsrp: number;
}

export interface IncomingCall {
  callId: string;
  /** The calling number as presented ("" when withheld). */
  number: string;
  /** Type of address: 145 international, 129 other, 128 withheld/unknown. */
  type: number;
  /** CLI validity (27.007 §7.6): 0 valid, 1 withheld, 2 not available. */
  cliValidity: number;
  /** The caller's name (CNAP), when the network presents one. */
  name?: string;
  /** The number the call was made to (shown by +CDIP). */
  calledNumber?: string;
}

export type RemoteCallState = "alerting" | "active" | "released";

export interface CallStateChange {
  callId: string;
  /** `alerting`: the far end rings (MO); `active`: answered; `released`: the call is gone. */
  state: RemoteCallState;
  /** 24.008 cause, with `released`. */
  cause?: number;
  causeText?: string;
  /**
   * With `active` on an outgoing call: the connected line identity (24.081 COLP), the
   * number of the party that answered ("" not available). It differs from the dialled
   * number when the call was forwarded. Absent: the network does not say (the modem
   * shows the dialled number).
   */
  connectedNumber?: string;
}

export interface SmsDelivery {
  deliveryId: string;
  /** SCA + TPDU as hex, as the modem shows it in +CMT / +CDS (an SMS-DELIVER or an SMS-STATUS-REPORT). */
  pdu: string;
}

export interface UssdResult {
  /** 27.007 §7.15 `<m>`: 0 done, 1 further action, 2 released by network, 3 other client, 4 not supported, 5 time-out. */
  status: number;
  text?: string;
  /** 23.038 §5 CBS data coding scheme: 15 GSM 7-bit, 72 UCS2. */
  dcs?: number;
}

export interface EmergencyNumber {
  number: string;
  /** 24.008 §10.5.4.33 service category bits: 1 police, 2 ambulance, 4 fire brigade, 8 marine guard, 16 mountain rescue. */
  categories: number;
}

export interface EmergencyNumbers {
  mcc: number;
  mnc: number;
  numbers: EmergencyNumber[];
}

/**
 * The network's answer to a PDN connectivity request (24.301 §6.5.1): the address it
 * assigned, or an ESM cause (24.301 §9.9.4.4: 27 missing or unknown APN, 29 user
 * authentication failed, 33 requested service option not subscribed, 26 insufficient
 * resources).
 */
export type PdnGrant = { ok: true; address: string } | { ok: false; esmCause: number };

/** What a device answered to a positioning request (27.007 §8.55 +CPOS): its fix, or why none. */
export interface PositionReport {
  fix?: { lat: number; lon: number; uncertaintyM?: number };
  /** The `err_reason` of a `pos_err`, or a parse problem. */
  error?: string;
}

/** Events the network pushes to one modem. */
export interface ModemNetworkListener {
  registrationChanged(reg: Registration): void;
  signalChanged(signal: Signal): void;
  incomingCall(call: IncomingCall): void;
  callStateChanged(change: CallStateChange): void;
  smsDelivered(sms: SmsDelivery): void;
  ussdResult(result: UssdResult): void;
  emergencyNumbers(list: EmergencyNumbers): void;
  /**
   * The network deactivated a PDN connection (24.301 §6.4.4, the modem shows `+CGEV: NW
   * PDN DEACT` and its vendor's notice); `cid` undefined: every one of this modem.
   */
  pdnDeactivated?(cid: number | undefined): void;
  /** The network asks where the device is (23.271 §9.1 for an emergency call; shown as +CPOSR, 27.007 §8.56). */
  positioningRequest?(): void;
}

export interface DialOptions {
  /** The modem's own classification (its emergency number list); the network decides (SPEC R53). */
  emergency: boolean;
  /** +CLIR / dial-string `I`/`i`: true hides the number, false shows it, undefined follows the subscription. */
  hideNumber?: boolean;
}

/** The outcome of an SMS submission: TP-MR on success, or a 27.005 `+CMS ERROR` code. */
export type SmsSubmitResult = { ok: true; messageRef: number } | { ok: false; cmsError: number };

export type SmsAck = "ack" | "nack" | "timeout";

/** What a modem asks of the network. */
export interface ModemNetwork {
  /** Radio on (+CFUN=1, power-on): the network learns the modem and answers with registration and emergency-number events. */
  attach(ue: UeIdentity, listener: ModemNetworkListener): void;
  /** Radio off, reboot, power cut: every call of this modem is gone without signalling. */
  detach(): void;
  /** Sets up a call; progress comes as `callStateChanged` with the returned id. */
  dial(number: string, options: DialOptions): string;
  /** Answers an incoming or waiting call; `active` or `released` (e.g. cause 26: answered elsewhere) follows. */
  answer(callId: string): void;
  /** Releases a call (cause 16 normal, 17 user busy when declining an incoming call). No event follows. */
  hangup(callId: string, cause: number): void;
  /** Puts a call on hold or retrieves it (+CHLD=2). */
  hold(callId: string, held: boolean): void;
  /** DTMF tones (+VTS) on an active call. */
  dtmf(callId: string, tones: string): void;
  /** The call waiting service (+CCWA `<mode>` 0/1). */
  setCallWaiting(enabled: boolean): void;
  /** Submits an SMS (SCA may be "" for the default; TPDU hex with TP-MR set by the modem). */
  sendSms(smsc: string, tpdu: string): Promise<SmsSubmitResult>;
  /** Reports the client's +CNMA (or its absence) for a delivery that needed one (27.005 §3.4.4, +CSMS=1). */
  ackSms(deliveryId: string, result: SmsAck): void;
  /** Sends a USSD string (already decoded to text); the answer comes as `ussdResult`. */
  ussd(text: string, dcs: number): void;
  /** Ends the USSD session (+CUSD=2). */
  ussdCancel(): void;
  /**
   * Packet data (27.007 §10): asks for a PDN connection on context `cid` with `apn`. A
   * network without a data model leaves it out; the modem then grants every request made
   * while registered, with a private address of its own.
   */
  activatePdn?(cid: number, apn: string): PdnGrant;
  /** The modem released the PDN connection of `cid` (+CGACT=0, +QIDEACT, +NETCLOSE). */
  deactivatePdn?(cid: number): void;
  /** The TE's answer to a positioning request (+CPOS, 27.007 §8.55). */
  positionReport?(report: PositionReport): void;
}
