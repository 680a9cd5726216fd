import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';

/** OpenAPI for a controller of commands: its tag, the Bearer token and the command headers. */
export const CommandApi = (tag: string) =>
  applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'A retry with the same key returns the first answer and records nothing new',
    }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'The stream revision ("3") the change was decided on; 409 if it moved',
    }),
  );
