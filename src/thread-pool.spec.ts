import { threadPoolSize } from './thread-pool';

describe('threadPoolSize', () => {
  it('gives a thread per core, above and below libuv’s default of four', () => {
    expect(threadPoolSize({}, 16)).toBe(16);
    expect(threadPoolSize({}, 2)).toBe(2);
  });

  it('takes an explicit UV_THREADPOOL_SIZE as it is', () => {
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '2' }, 16)).toBe(2);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '64' }, 2)).toBe(64);
  });

  it.each(['', '0', '-3', '2.5', 'many'])('ignores an unusable UV_THREADPOOL_SIZE of %j', (value) => {
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: value }, 8)).toBe(8);
  });
});
