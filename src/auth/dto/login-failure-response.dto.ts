import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';
import { payloadModelResponse } from '../../contract/payload-model-response';

export const LoginFailureResponseDto = payloadModelResponse('LoginFailureResponseDto', {
  requestType: DataRequestType.Login_Login,
  statusCode: 401,
  message: ContractMessages.invalidCredentials,
});
