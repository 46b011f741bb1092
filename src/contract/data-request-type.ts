/** The values of FunGame's `DataRequestType` enum that this service answers for. */
export enum DataRequestType {
  RunTime_Logout = 1,
  Reg_Reg = 12,
  Login_Login = 13,
  UserCenter_UpdatePassword = 20,
}
