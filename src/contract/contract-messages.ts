/**
 * Every message string of the wire contract (`shared/spec/CONTRACT.md`). Game clients compare these
 * byte for byte: change none of them.
 */
export const ContractMessages = {
  loginSucceeded: '登录成功！',
  invalidCredentials: '用户名或密码不正确。',
  loginUnavailable: '服务器暂时无法处理登录请求。',
  tokenRevoked: '此 Token 已吊销，请重新登录以获取 Token。',
  requestUnavailable: '服务器暂时无法处理请求。',
  loggedOut: '你已成功退出登录！',
  logoutFailed: '退出登录失败！',
} as const;

/**
 * Messages of `POST /user/register`: register.md's own, and for the rules it leaves open, messages in
 * the same voice that name the rule.
 */
export const RegistrationMessages = {
  registered: '注册成功！请牢记您的账号与密码！',
  usernameTaken: '此账号名已被使用！',
  emailTaken: '此邮箱已被注册！',
  wrongCode: '验证码不正确，请重新输入！',
  codeExpired: '此验证码已过期，请重新注册。',
  usernameInvalid: '用户名不能为空，长度不超过 32 个字符，且不能包含控制字符或首尾空格。',
  usernameInvisible: '用户名不能包含不可见字符（如零宽字符、方向控制符或空白填充字符）。',
  emailInvalid: '请填写有效的邮箱地址（不超过 254 个字符）。',
  fieldsMustBeStrings: '用户名和密码必须是字符串。',
  passwordTooShort: '密码长度至少为 8 个字符。',
  passwordTooLong: '密码不能超过 72 个字节（UTF-8）。',
  passwordInvalid: '密码不能包含控制字符。',
  registrationUnavailable: '服务器暂时无法处理注册请求。',
} as const;

/**
 * Messages of the password reset by mail (`/user/findpassword`, `/user/resetpassword`: FunGame's
 * `Login_GetFindPasswordVerifyCode` and `Login_UpdatePassword`, which have no published REST page).
 */
export const PasswordResetMessages = {
  codeSent: '如果账号与邮箱匹配，验证码已发送至该邮箱，10 分钟内有效。',
  passwordReset: '密码已重置，请使用新密码登录。',
  wrongCode: '验证码不正确，请重新输入！',
  codeExpired: '此验证码已过期，请重新获取验证码。',
  findPasswordUnavailable: '服务器暂时无法处理找回密码请求。',
  resetPasswordUnavailable: '服务器暂时无法处理重置密码请求。',
} as const;

/** Messages of the session management routes (`/user/sessions`), which the original server did not have. */
export const SessionMessages = {
  sessionEnded: '会话已结束。',
  sessionNotFound: '会话不存在。',
} as const;

/** Messages of `PUT /usercenter/updatepassword`; a wrong current password gets the login's message. */
export const PasswordChangeMessages = {
  passwordChanged: '密码已修改。',
  fieldsMustBeStrings: '旧密码和新密码必须是字符串。',
} as const;

/** Messages of brute-force protection (429), which the original server did not have. */
export const ThrottlingMessages = {
  accountLocked: '登录失败次数过多，该账号已被暂时锁定，请稍后再试。',
  tooManyRequests: '请求过于频繁，请稍后再试。',
} as const;

/**
 * The login of a banned account with the right password (403, RequestType 13). The end of a ban is shown
 * in UTC to the second, as `YYYY-MM-DD HH:mm:ss UTC`.
 */
export const BanMessages = {
  bannedForever: '此账号已被永久封禁。',
  bannedUntil: (until: Date): string => `此账号已被封禁，解封时间：${formatBanEnd(until)}。`,
} as const;

function formatBanEnd(until: Date): string {
  return `${until.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Messages of the operators' routes (`/admin`): this service's own, in English, for operators' scripts. */
export const AdminMessages = {
  badRequest: 'The request is not valid: send a JSON object with the documented fields, or none.',
  unavailable: 'The service cannot process this request now; try again.',
  userNotFound: (username: string): string => `No user named ${JSON.stringify(username)}.`,
  sessionNotFound: 'No live session with this id belongs to this user.',
  untilInvalid: '"until" must be an ISO 8601 time with a time zone (e.g. 2026-12-31T00:00:00Z), in the future.',
  reasonInvalid: '"reason" must be a string of at most 500 characters without control characters.',
  limitInvalid: '"limit" must be an integer from 1 to 200.',
  cursorInvalid: '"before" must be a cursor returned as "nextCursor" by this route.',
} as const;
