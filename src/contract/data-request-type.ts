/** The values of FunGame's `DataRequestType` enum that this service answers for. */
export enum DataRequestType {
  Reg_Reg = 12,
  Login_Login = 13,
  UserCenter_UpdatePassword = 20,
}
