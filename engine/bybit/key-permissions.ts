import { DeskError } from '../errors.ts';

/** What the desk learned about its API key (never the key itself). */
export interface KeyPermissionReport {
  readOnly: boolean;
  canWithdraw: boolean;
  canTradeContracts: boolean;
  ipBound: boolean;
}

/** The fields of /v5/user/query-api the check reads; everything else (apiKey, masked secret...) is ignored. */
export interface VendorKeyInfo {
  readOnly?: number | string;
  permissions?: Record<string, unknown>;
  ips?: unknown;
}

/**
 * Judges a key from /v5/user/query-api: refuses (DeskError CONFIG) a read-only key, and a key with a
 * Withdraw permission unless `allowWithdraw` (BYBIT_ALLOW_WITHDRAW_KEY). Returns the report otherwise.
 */
export function judgeKeyPermissions(info: VendorKeyInfo, allowWithdraw: boolean): KeyPermissionReport {
  const perms = info.permissions && typeof info.permissions === 'object' ? info.permissions : {};
  const list = (k: string): string[] => {
    const v = perms[k];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  };
  const canWithdraw = Object.keys(perms).some((k) => list(k).some((p) => /withdraw/i.test(p)));
  const readOnly = Number(info.readOnly) === 1;
  const contract = [...list('ContractTrade'), ...list('Derivatives')];
  const report: KeyPermissionReport = {
    readOnly,
    canWithdraw,
    canTradeContracts: !readOnly && contract.some((p) => /order|position|trade/i.test(p)),
    ipBound: Array.isArray(info.ips) && info.ips.length > 0 && !(info.ips.length === 1 && info.ips[0] === '*'),
  };
  if (canWithdraw && !allowWithdraw) {
    throw new DeskError(
      'CONFIG',
      { key: 'BYBIT_API_KEY', reason: 'this API key can withdraw funds: create a trade-only key, or set BYBIT_ALLOW_WITHDRAW_KEY=true' },
      'bybit: refusing a key with withdraw permission',
    );
  }
  if (readOnly) {
    throw new DeskError('CONFIG', { key: 'BYBIT_API_KEY', reason: 'this API key is read-only: live trading needs Contract Order and Position permissions' }, 'bybit: read-only key');
  }
  return report;
}
