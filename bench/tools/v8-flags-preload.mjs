import v8 from 'node:v8';

if (process.env.RUNTIME_FLAGS)
  for (const f of process.env.RUNTIME_FLAGS.split(' ')) v8.setFlagsFromString(f);
