// Empties dist/ before a build, so a file deleted from the sources cannot linger in the published package.
// npm runs a package's scripts in the package's own directory.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
