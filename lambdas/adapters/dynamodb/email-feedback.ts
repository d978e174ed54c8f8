import { type EmailFeedback, OUTRANKING_EMAIL_STATES } from '../../domain/email.js';
import type { EmailFeedbackStore } from '../../ports.js';
import { ConditionalCheckFailedException, type DynamoDBDocumentClient, UpdateCommand } from '../aws-sdk.js';
import { registrationKey } from './keys.js';

/**
 * Bounces and complaints on the registration item: one conditional update, no version bump (it changes
 * nothing the attendee holds, so it must not make their next change fail as "changed meanwhile").
 */
export class DynamoEmailFeedback implements EmailFeedbackStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async markEmailFeedback(feedback: EmailFeedback): Promise<boolean> {
    const { registrationId: _id, state, ...details } = feedback;
    const outranking = OUTRANKING_EMAIL_STATES[state];
    const outrankingValues = Object.fromEntries(outranking.map((other, i) => [`:outranks${i}`, other]));
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: registrationKey(feedback.registrationId),
          UpdateExpression: 'SET emailState = :state, emailFeedback = :feedback',
          // After erasure there is nobody to mark.
          ConditionExpression: [
            'attribute_exists(pk)',
            'attribute_not_exists(personalDataRemoved)',
            ...(outranking.length > 0
              ? [
                  `(attribute_not_exists(emailState) OR NOT emailState IN (${Object.keys(outrankingValues).join(', ')}))`,
                ]
              : []),
          ].join(' AND '),
          ExpressionAttributeValues: { ':state': state, ':feedback': details, ...outrankingValues },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
