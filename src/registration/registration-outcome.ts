/** FunGame's `RegInvokeType`: register.md's `Data.type`. */
export enum RegInvokeType {
  None = 0,
  DuplicateUserName = 1,
  DuplicateEmail = 2,
  InputVerifyCode = 3,
}

/** A register answer: always 200, the outcome in `Data` and `Message`. */
export interface RegistrationOutcome {
  success: boolean;
  type: RegInvokeType;
  message: string;
}

/** A find-password or reset answer: always 200, the outcome in `Data.success` and `Message`. */
export interface PasswordResetOutcome {
  success: boolean;
  message: string;
}
