// Browsers ask for /favicon.ico on pages without an icon link (the JSON of /api/examples); answer
// with the app icon (same drawing as app/icon.svg) instead of a 404 that shows up as a console error.
export const dynamic = 'force-static';

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#16181d"/><path d="M9 10l6 6-6 6" stroke="#5ccf85" stroke-width="3" fill="none" stroke-linecap="round" stroke-linejoin="round"/><path d="M17 22h7" stroke="#4e9af1" stroke-width="3" stroke-linecap="round"/></svg>`;

export function GET(): Response {
  return new Response(ICON, { headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' } });
}
