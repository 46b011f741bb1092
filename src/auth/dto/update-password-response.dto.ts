import { PasswordChangeMessages } from '../../contract/contract-messages';
import { DataRequestType } from '../../contract/data-request-type';
import { payloadModelResponse } from '../../contract/payload-model-response';

export const UpdatePasswordResponseDto = payloadModelResponse('UpdatePasswordResponseDto', {
  requestType: DataRequestType.UserCenter_UpdatePassword,
  statusCode: 200,
  message: PasswordChangeMessages.passwordChanged,
});
