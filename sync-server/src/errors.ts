// Typed, user-facing errors and the one error handler that turns them (and everything else)
// into JSON bodies; internals of 5xx errors are logged, never sent.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorBody, SyncErrorCode } from '@feemaster/core';

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: SyncErrorCode,
    message: string,
    readonly problems?: ErrorBody['problems'],
    /** More of the body for the desk to act on (the schools to choose from). */
    readonly extra?: Pick<ErrorBody, 'schools'>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      const body: ErrorBody = { error: error.code, message: error.message, ...(error.problems ? { problems: error.problems } : {}), ...error.extra };
      return reply.status(error.statusCode).send(body);
    }
    if ('validation' in error && error.validation) {
      const body: ErrorBody = {
        error: 'bad-request',
        message: `The request was not understood: ${error.message}. Check the fields and try again.`,
      };
      return reply.status(400).send(body);
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status < 500) {
      return reply.status(status).send({ error: 'bad-request', message: error.message } satisfies ErrorBody);
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: 'internal', message: 'The server hit an unexpected error. Try again; if it persists, tell your IT contact.' } satisfies ErrorBody);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not-found', message: `No such endpoint: ${request.method} ${request.url}` } satisfies ErrorBody);
  });
}
