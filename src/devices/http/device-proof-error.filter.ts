import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemType, type ProblemDetails } from '../../http/problem-details';
import { DeviceProofError } from '../authentication/device-proof.error';

/**
 * A refused device proof as RFC 9457 problem details with its own `code`, plus a
 * WWW-Authenticate challenge naming the scheme (RFC 9110 requires one on every 401).
 */
@Catch(DeviceProofError)
export class DeviceProofErrorFilter implements ExceptionFilter {
  catch(error: DeviceProofError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const status = error.status;
    const problem: ProblemDetails = {
      type: problemType(error.code),
      title: status === 401 ? 'Unauthorized' : 'Service Unavailable',
      status,
      detail: error.message,
      code: error.code,
      instance: request.url,
      requestId: String(request.id),
    };
    const headers: Record<string, string> =
      status === 401
        ? { 'www-authenticate': `DeviceProof error="${error.code}"` }
        : { 'retry-after': '1' };
    void http
      .getResponse<FastifyReply>()
      .status(status)
      .headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE })
      .send(problem);
  }
}
