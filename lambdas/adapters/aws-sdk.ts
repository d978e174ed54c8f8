import { createRequire } from 'node:module';
import type * as ClientDynamoDb from '@aws-sdk/client-dynamodb';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type * as SesV2 from '@aws-sdk/client-sesv2';
import type * as LibDynamoDb from '@aws-sdk/lib-dynamodb';
import type * as UtilDynamoDb from '@aws-sdk/util-dynamodb';

/**
 * The AWS SDK of the Lambda runtime (left out of every bundle), required as the CommonJS it is, never imported
 * as ESM. An ESM import of a CommonJS package makes Node scan its sources for export names (cjs-module-lexer) and
 * wrap it in the ESM loader: importing client-dynamodb and lib-dynamodb that way cost about 95 ms at a cold
 * start against about 60 ms required (issue 19, measured alternating). Every value from `@aws-sdk/*` comes from
 * here; types are imported from the packages (`import type`). Each class is also a type of the same name, so
 * callers keep `new X()`, `instanceof X` and `X` as a type. Under vitest and the local stack the required
 * module is the very object an ESM import gives, so aws-sdk-client-mock still mocks these classes.
 */
const requireSdk = createRequire(import.meta.url);

// Every function that loads this module talks to DynamoDB: loaded at cold start.
const clientDynamoDb = requireSdk('@aws-sdk/client-dynamodb') as typeof ClientDynamoDb;
const libDynamoDb = requireSdk('@aws-sdk/lib-dynamodb') as typeof LibDynamoDb;
// lib-dynamodb has loaded it already.
const utilDynamoDb = requireSdk('@aws-sdk/util-dynamodb') as typeof UtilDynamoDb;

export const DynamoDBClient = clientDynamoDb.DynamoDBClient;
export type DynamoDBClient = ClientDynamoDb.DynamoDBClient;
export const ConditionalCheckFailedException = clientDynamoDb.ConditionalCheckFailedException;
export type ConditionalCheckFailedException = ClientDynamoDb.ConditionalCheckFailedException;
export const TransactionCanceledException = clientDynamoDb.TransactionCanceledException;
export type TransactionCanceledException = ClientDynamoDb.TransactionCanceledException;

export const DynamoDBDocumentClient = libDynamoDb.DynamoDBDocumentClient;
export type DynamoDBDocumentClient = LibDynamoDb.DynamoDBDocumentClient;
export const BatchGetCommand = libDynamoDb.BatchGetCommand;
export type BatchGetCommand = LibDynamoDb.BatchGetCommand;
export const DeleteCommand = libDynamoDb.DeleteCommand;
export type DeleteCommand = LibDynamoDb.DeleteCommand;
export const GetCommand = libDynamoDb.GetCommand;
export type GetCommand = LibDynamoDb.GetCommand;
export const PutCommand = libDynamoDb.PutCommand;
export type PutCommand = LibDynamoDb.PutCommand;
export const QueryCommand = libDynamoDb.QueryCommand;
export type QueryCommand = LibDynamoDb.QueryCommand;
export const TransactWriteCommand = libDynamoDb.TransactWriteCommand;
export type TransactWriteCommand = LibDynamoDb.TransactWriteCommand;
export const UpdateCommand = libDynamoDb.UpdateCommand;
export type UpdateCommand = LibDynamoDb.UpdateCommand;
export const paginateQuery = libDynamoDb.paginateQuery;

export const unmarshall = utilDynamoDb.unmarshall;

/**
 * SES v2, on the first send or quota read: its client is as large as DynamoDB's and would double a sender's cold
 * start (the scheduled retry mostly finds nothing due and never loads it).
 */
export const sesV2 = (): typeof SesV2 => requireSdk('@aws-sdk/client-sesv2') as typeof SesV2;

/** Secrets Manager, when the admin function first reads its cursor key. */
export const secretsManager = (): typeof SecretsManager =>
  requireSdk('@aws-sdk/client-secrets-manager') as typeof SecretsManager;
