/** The values of FunGame's `DataRequestType` enum that this service answers for. */
export enum DataRequestType {
  RunTime_Logout = 1,
  Reg_Reg = 12,
  Login_Login = 13,
  Login_GetFindPasswordVerifyCode = 14,
  Login_UpdatePassword = 15,
  UserCenter_UpdatePassword = 20,
}
