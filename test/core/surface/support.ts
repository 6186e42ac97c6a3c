/** What the calibrated-surface tests share: the golden board (reference/golden-surface-board.json) in core terms. */
import { readFileSync } from 'node:fs';
import type { BoardQuote, QuoteBoard } from '../../../src/core/surface/board.js';

export interface WireQuote {
  expiry: number;
  strike: number;
  option_type: 'call' | 'put';
  bid_iv: number;
  ask_iv: number;
  mid_iv: number;
}

export interface GoldenFile {
  source: string;
  truth: { expiry: number; alpha: number; beta: number; rho: number; nu: number }[];
  board: { as_of: string; spot: number; risk_free_rate: number; dividend_yield: number; quotes: WireQuote[] };
}

export function loadGolden(): GoldenFile {
  return JSON.parse(
    readFileSync(new URL('../reference/golden-surface-board.json', import.meta.url), 'utf8'),
  ) as GoldenFile;
}

export function toCoreBoard(golden: GoldenFile['board'], quotes: readonly WireQuote[] = golden.quotes): QuoteBoard {
  return {
    asOf: Date.parse(golden.as_of) / 1000,
    spot: golden.spot,
    rate: golden.risk_free_rate,
    dividendYield: golden.dividend_yield,
    quotes: quotes.map((q): BoardQuote => ({
      expiry: q.expiry,
      strike: q.strike,
      optionType: q.option_type,
      bidIv: q.bid_iv,
      askIv: q.ask_iv,
      midIv: q.mid_iv,
    })),
  };
}

/** The golden board with the ATM (strike 100) call volatilities of every expiry x1.5 and the puts x0.2. */
export function brokenParityQuotes(golden: GoldenFile['board']): WireQuote[] {
  return golden.quotes.map((q) => {
    if (q.strike !== 100) return q;
    const f = q.option_type === 'call' ? 1.5 : 0.2;
    return { ...q, bid_iv: q.bid_iv * f, ask_iv: q.ask_iv * f, mid_iv: q.mid_iv * f };
  });
}
