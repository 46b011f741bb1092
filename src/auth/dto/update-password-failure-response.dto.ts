import { ContractMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';
import { payloadModelResponse } from '../../contract/payload-model-response';

export const UpdatePasswordFailureResponseDto = payloadModelResponse('UpdatePasswordFailureResponseDto', {
  requestType: DataRequestType.UserCenter_UpdatePassword,
  statusCode: { example: 401, description: '400 for invalid input, 401 for a wrong current password, 429 locked.' },
  message: ContractMessages.invalidCredentials,
});
