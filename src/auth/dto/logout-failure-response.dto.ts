import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';
import { payloadModelResponse } from '../../contract/payload-model-response';

export const LogoutFailureResponseDto = payloadModelResponse('LogoutFailureResponseDto', {
  requestType: DataRequestType.RunTime_Logout,
  statusCode: 400,
  message: ContractMessages.logoutFailed,
});
