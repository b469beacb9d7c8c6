/** A MITRE ATT&CK technique (or sub-technique) a rule detects. */
export interface AttackTechnique {
  /** `T1552.007` */
  readonly id: string;
  /** `Unsecured Credentials: Container API` */
  readonly name: string;
  /** The page of the technique on attack.mitre.org. */
  readonly url: string;
}

// The techniques of the ATT&CK for Containers matrix our rules use, plus T1649 (certificates: no Containers
// technique covers a CertificateSigningRequest; the Enterprise one does). Names as ATT&CK writes them.
const NAMES: Readonly<Record<string, string>> = {
  'T1046': 'Network Service Discovery',
  'T1053.007': 'Scheduled Task/Job: Container Orchestration Job',
  'T1069': 'Permission Groups Discovery',
  'T1078': 'Valid Accounts',
  'T1078.001': 'Valid Accounts: Default Accounts',
  'T1098.006': 'Account Manipulation: Additional Container Cluster Roles',
  'T1110': 'Brute Force',
  'T1136.001': 'Create Account: Local Account',
  'T1528': 'Steal Application Access Token',
  'T1550.001': 'Use Alternate Authentication Material: Application Access Token',
  'T1552.001': 'Unsecured Credentials: Credentials In Files',
  'T1552.007': 'Unsecured Credentials: Container API',
  'T1562.001': 'Impair Defenses: Disable or Modify Tools',
  'T1609': 'Container Administration Command',
  'T1610': 'Deploy Container',
  'T1611': 'Escape to Host',
  'T1613': 'Container and Resource Discovery',
  'T1649': 'Steal or Forge Authentication Certificates',
};

/** The ids rules may name (`technique: T1609`). */
export const KNOWN_TECHNIQUES: readonly string[] = Object.keys(NAMES);

/** The technique of `id` (`T1609`, `t1552.007`), or undefined when it is not one rules may name. */
export function attackTechnique(id: string): AttackTechnique | undefined {
  const key = id.toUpperCase();
  const name = NAMES[key];
  if (name === undefined) return undefined;
  return { id: key, name, url: `https://attack.mitre.org/techniques/${key.replace('.', '/')}/` };
}
