// Package dashboard is fleetd's live web dashboard: plain HTML, CSS and
// JavaScript modules embedded in the binary (no CDN, no map tiles, no
// build step), served beside the HTTP API on its listener. The page is a
// client of the API under /v1 only: it draws the site from GET /v1/site,
// follows GET /v1/events (read with fetch streaming, so the bearer token
// travels in the Authorization header as on every other call), lists
// moves, shuttles, the gate queue, the chargers and the closed lanes, and
// offers the actions of the signed-in token's role. It holds no state on
// the server.
package dashboard
