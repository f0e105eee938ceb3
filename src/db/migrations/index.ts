import { Foundation1764115200000 } from './1764115200000-foundation.js';

/** Every migration, in order. Listed explicitly so the same list works from src (tests) and dist. */
export const migrations = [Foundation1764115200000];
