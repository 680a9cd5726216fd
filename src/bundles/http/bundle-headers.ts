/** The headers of every bundle answer, 200 and 304 alike (documented as BUNDLE_HEADERS). */
export function bundleHeaders(bundle: { etag: string; version: number }) {
  return {
    etag: bundle.etag,
    'cache-control': 'no-cache',
    'x-bundle-version': String(bundle.version),
  };
}
