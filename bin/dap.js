#!/usr/bin/env node
// `npx dap` entry: registers tsx so the TypeScript CLI runs without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./dap.ts');
