import { HttpResponse, type HttpRequest } from '@smithy/core/transport';
import { Readable } from 'node:stream';

export interface Captured {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * A request handler for a real SDK client that records each HTTP request it would send and answers
 * with a canned response: the SDK's own serializer decides the wire form under test.
 */
export function captureHandler(respond: (req: Captured) => { status: number; body?: unknown } = () => ({ status: 200, body: {} })) {
  const requests: Captured[] = [];
  const handler = {
    async handle(request: HttpRequest) {
      const raw = typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '';
      const captured: Captured = { method: request.method, path: request.path, headers: request.headers, body: raw ? JSON.parse(raw) : undefined };
      requests.push(captured);
      const { status, body } = respond(captured);
      return {
        response: new HttpResponse({
          statusCode: status,
          headers: { 'content-type': 'application/json' },
          body: Readable.from([body === undefined ? '' : JSON.stringify(body)]),
        }),
      };
    },
  };
  return { handler, requests };
}

export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
