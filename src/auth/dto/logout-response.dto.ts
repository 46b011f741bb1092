import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';
import { payloadModelResponse } from '../../contract/payload-model-response';

export const LogoutResponseDto = payloadModelResponse('LogoutResponseDto', {
  requestType: DataRequestType.RunTime_Logout,
  statusCode: 200,
  message: ContractMessages.loggedOut,
});
