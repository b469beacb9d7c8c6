/** An IAM role identified from an ARN. */
export interface IamRole {
  readonly partition: string;
  readonly account: string;
  readonly roleName: string;
  /** The role's path, `/` when none. */
  readonly path: string;
  /** The session name, for an `assumed-role` ARN. */
  readonly sessionName?: string;
  /** The ARN this was parsed from. */
  readonly arn: string;
}

const ROLE = /^arn:([a-z-]+):iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)?([\w+=,.@-]+)$/;
const ASSUMED = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/;

/**
 * Parses an IAM role ARN (`arn:aws:iam::123456789012:role/path/Name`) or an STS assumed-role ARN
 * (`arn:aws:sts::123456789012:assumed-role/Name/session`); undefined for anything else.
 */
export function parseRoleArn(arn: string | undefined): IamRole | undefined {
  if (arn === undefined) return undefined;
  const role = ROLE.exec(arn);
  if (role !== null) return { partition: role[1]!, account: role[2]!, path: role[3] ?? '/', roleName: role[4]!, arn };
  const assumed = ASSUMED.exec(arn);
  if (assumed !== null) {
    return { partition: assumed[1]!, account: assumed[2]!, path: '/', roleName: assumed[3]!, sessionName: assumed[4]!, arn };
  }
  return undefined;
}
