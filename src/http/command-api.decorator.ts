import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';

/**
 * OpenAPI for a controller of commands: its tag and the command headers every command reads
 * (src/http/command-headers.ts). Security, parameters and answers come from each @ApiContract.
 */
export const CommandApi = (tag: string) =>
  applyDecorators(
    ApiTags(tag),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'A retry with the same key returns the first answer and records nothing new',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$', example: 'tom-diag-1' },
    }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'The stream revision ("3") the change was decided on; 409 if it moved',
      schema: { type: 'string', pattern: '^(?:W/)?"\\d{1,15}"$', example: '"3"' },
    }),
  );
