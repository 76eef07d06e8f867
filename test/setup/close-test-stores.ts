import { afterAll } from 'vitest';
import { closeLeftoverTestStores } from '../helpers/store.js';

// A test that forgets to close an app must not leave a database and its connections behind.
afterAll(closeLeftoverTestStores);
