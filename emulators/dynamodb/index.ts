import { createServer } from 'node:http';
import { AwsError, serveAwsJson, withFaults, type AwsJsonService } from '../aws-json';
import { listenLoopback } from '../http';
import { checkCondition, type AttributeValue, type Item } from './expression';

export type { AttributeValue, Item };

/**
 * The DynamoDB item operations keygate's drift lock uses, for the real `@aws-sdk/client-dynamodb`
 * (awsJson1_0, `x-amz-target: DynamoDB_20120810.<Operation>`, signed for `dynamodb`, through
 * `AWS_ENDPOINT_URL_DYNAMODB`): PutItem, GetItem and DeleteItem with condition expressions and
 * ReturnValuesOnConditionCheckFailure, on tables with a string partition key. Tables are created
 * through the emulator (the stack creates them in AWS). Loopback only, port 0.
 */
export const DYNAMODB_SERVICE: AwsJsonService = { targetPrefix: 'DynamoDB_20120810.', signingName: 'dynamodb', contentType: 'application/x-amz-json-1.0', errorTypePrefix: 'com.amazonaws.dynamodb.v20120810#' };

export interface DynamoDbEmulator {
  endpoint: string;
  calls: Array<{ operation: string; input: any; /** The access key that signed it (emulators/http.ts callerOf). */ caller: string }>;
  createTable(name: string, partitionKey: string): void;
  /** The stored item under a key (a copy), for assertions. */
  item(table: string, key: string): Item | undefined;
  /** Writes an item directly (another writer, a crashed run's leftover). */
  putItem(table: string, item: Item): void;
  /** The next `times` calls of `operation` answer `code` (ProvisionedThroughputExceededException, InternalServerError, …). */
  fail(operation: string, times: number, code: string): void;
  /** Forgets every fault not yet used up. */
  clearFaults(): void;
  close(): Promise<void>;
}

interface Table {
  key: string;
  items: Map<string, Item>;
}

const notFound = () => new AwsError('ResourceNotFoundException', 'Requested resource not found');
const failed = (old: Item | undefined, returnOld: boolean) => new AwsError('ConditionalCheckFailedException', 'The conditional request failed', 400, returnOld && old ? { Item: old } : {});

export async function start(options: { tables?: Record<string, string> } = {}): Promise<DynamoDbEmulator> {
  const tables = new Map<string, Table>(Object.entries(options.tables ?? {}).map(([name, key]) => [name, { key, items: new Map() }]));
  const calls: DynamoDbEmulator['calls'] = [];
  const table = (name: unknown): Table => {
    if (typeof name !== 'string' || !name) throw new AwsError('ValidationException', '1 validation error detected: Value null at \'tableName\' failed to satisfy constraint: Member must not be null');
    const t = tables.get(name);
    if (!t) throw notFound();
    return t;
  };
  const keyOf = (t: Table, attributes: Item | undefined, what: 'item' | 'key'): string => {
    const v = attributes?.[t.key];
    if (!v) throw new AwsError('ValidationException', `One or more parameter values were invalid: Missing the key ${t.key} in the ${what}`);
    if (typeof v.S !== 'string') throw new AwsError('ValidationException', `One or more parameter values were invalid: Type mismatch for key ${t.key} expected: S actual: ${Object.keys(v)[0]}`);
    if (what === 'key' && Object.keys(attributes!).length !== 1) throw new AwsError('ValidationException', 'The provided key element does not match the schema');
    return v.S;
  };
  const returnValues = (input: { ReturnValuesOnConditionCheckFailure?: string }) => {
    const r = input.ReturnValuesOnConditionCheckFailure ?? 'NONE';
    if (r !== 'NONE' && r !== 'ALL_OLD') throw new AwsError('ValidationException', `1 validation error detected: Value '${r}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`);
    return r === 'ALL_OLD';
  };
  type Input = { TableName?: string; Item?: Item; Key?: Item; ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue>; ReturnValuesOnConditionCheckFailure?: string };
  /** Throws ConditionalCheckFailedException (with the old item when asked) unless the condition holds. */
  const checked = (t: Table, key: string, input: Input): void => {
    const returnOld = returnValues(input);
    const old = t.items.get(key);
    if (!checkCondition(input.ConditionExpression, old, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) throw failed(old, returnOld);
  };
  const operations = {
    PutItem: (input: Input) => {
      const t = table(input.TableName);
      const key = keyOf(t, input.Item, 'item');
      checked(t, key, input);
      t.items.set(key, structuredClone(input.Item!));
      return {};
    },
    GetItem: (input: Input) => {
      const t = table(input.TableName);
      const item = t.items.get(keyOf(t, input.Key, 'key'));
      return item ? { Item: item } : {};
    },
    DeleteItem: (input: Input) => {
      const t = table(input.TableName);
      const key = keyOf(t, input.Key, 'key');
      checked(t, key, input);
      t.items.delete(key);
      return {};
    },
  };
  const faultable = withFaults(operations);
  const server = createServer((req, res) => void serveAwsJson(DYNAMODB_SERVICE, req, res, faultable.operations, (operation, input, caller) => calls.push({ operation, input, caller })));
  const endpoint = await listenLoopback(server);
  return {
    endpoint,
    calls,
    createTable: (name, partitionKey) => void tables.set(name, { key: partitionKey, items: new Map() }),
    item: (name, key) => structuredClone(tables.get(name)?.items.get(key)),
    putItem: (name, item) => {
      const t = tables.get(name);
      if (!t) throw new TypeError(`no table ${name}`);
      t.items.set(keyOf(t, item, 'item'), structuredClone(item));
    },
    fail: (operation, times, code) => faultable.fail(operation, times, code),
    clearFaults: () => faultable.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
