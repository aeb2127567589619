import { Logger } from '@aws-lambda-powertools/logger';
import { redact } from './redact';

/** The single Powertools logger (house style §5). Every line passes through {@link redact}. */
export const logger = new Logger({
  serviceName: 'keygate',
  jsonReplacerFn: (key: string, value: unknown) => (key === '' ? value : redact({ [key]: value })[key]),
});
