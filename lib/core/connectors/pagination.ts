import type { ApiPagination } from '../model/api-source-schema.ts';
import { scalarText, valueAt } from './json-path.ts';
import { paramOf, refUnderBase, withParam } from './requests.ts';

/** After a page: the reference of the next one, the end of the scope, or why the body cannot tell. */
export type NextPage =
  | { readonly kind: 'done' }
  | { readonly kind: 'next'; readonly ref: string }
  | { readonly kind: 'invalid'; readonly expected: string };

export interface PageContext {
  readonly baseUrl: string;
  /** The reference and absolute URL of the page just read. */
  readonly ref: string;
  readonly url: URL;
  readonly body: unknown;
  readonly headers: { get(name: string): string | null };
  readonly recordCount: number;
}

/** Where the next page is, by the endpoint's pagination style. Pure: the body and headers decide. */
export function nextPage(pagination: ApiPagination, page: PageContext): NextPage {
  const next = nextRef(pagination, page);
  if (next.kind === 'next' && next.ref === page.ref) {
    return { kind: 'invalid', expected: 'the next page to differ from this one (the API sent the same page again)' };
  }
  return next;
}

function nextRef(pagination: ApiPagination, page: PageContext): NextPage {
  switch (pagination.style) {
    case 'none':
      return { kind: 'done' };
    case 'continuation': {
      const hasMore = valueAt(page.body, pagination.has_more);
      if (hasMore !== true) return { kind: 'done' };
      const token = scalarText(valueAt(page.body, pagination.token));
      if (token === undefined || token === '') {
        return { kind: 'invalid', expected: `${pagination.token} to hold a token when ${pagination.has_more} is true` };
      }
      return { kind: 'next', ref: withParam(page.ref, pagination.param, token) };
    }
    case 'page_number': {
      if (page.recordCount < pagination.size) return { kind: 'done' };
      const current = Number(paramOf(page.ref, pagination.param) ?? pagination.first_page);
      return { kind: 'next', ref: withParam(page.ref, pagination.param, String(current + 1)) };
    }
    case 'next_link': {
      const link = pagination.link_header
        ? nextFromLinkHeader(page.headers.get('link'))
        : scalarText(valueAt(page.body, pagination.next ?? 'next'));
      if (link === undefined || link === '') return { kind: 'done' };
      const ref = refUnderBase(page.baseUrl, page.url, link);
      if (ref === undefined) return { kind: 'invalid', expected: `a next link under ${page.baseUrl}, got ${link}` };
      return { kind: 'next', ref };
    }
    case 'cursor': {
      if (pagination.has_more !== undefined && valueAt(page.body, pagination.has_more) !== true)
        return { kind: 'done' };
      const cursor = scalarText(valueAt(page.body, pagination.cursor));
      if (cursor === undefined || cursor === '') return { kind: 'done' };
      return { kind: 'next', ref: withParam(page.ref, pagination.param, cursor) };
    }
  }
}

/** The target of `rel="next"` in an RFC 8288 Link header. */
export function nextFromLinkHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?/i.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}
