/** Importing this module registers every built-in model. */
export * from './registry.js';
import { registerModel } from './registry.js';
import { xenTimerFactory } from './xen-timer/index.js';
import './classic/index.js';
registerModel(xenTimerFactory);
