package api

import (
	"net/http"
	"strconv"
)

// obj is a JSON object in the OpenAPI document.
type obj = map[string]any

// ref points at a schema of the document's components.
func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(desc string) obj     { return obj{"type": "string", "description": desc} }
func integer(desc string) obj { return obj{"type": "integer", "description": desc} }
func number(desc string) obj  { return obj{"type": "number", "description": desc} }
func boolean(desc string) obj { return obj{"type": "boolean", "description": desc} }
func array(items obj) obj     { return obj{"type": "array", "items": items} }
func object(required []string, props obj) obj {
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// jsonBody is a response or request body of one schema.
func jsonBody(desc string, schema obj) obj {
	return obj{"description": desc, "content": obj{"application/json": obj{"schema": schema}}}
}

// errs are the error responses an operation may give.
func errs(codes ...int) obj {
	out := obj{}
	for _, c := range codes {
		out[itoa(c)] = obj{"$ref": "#/components/responses/E" + itoa(c)}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// op is one operation: summary, roles, responses and, optionally,
// parameters and a request body.
func op(summary, roles string, responses obj, extra ...obj) obj {
	o := obj{"summary": summary, "description": "Roles: " + roles + ".", "responses": responses}
	for _, e := range extra {
		for k, v := range e {
			o[k] = v
		}
	}
	return o
}

func merge(a, b obj) obj {
	out := obj{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func pathID(what string) obj {
	return obj{"parameters": []obj{{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": what}}}
}

func pathCountry() obj {
	return obj{"parameters": []obj{{"name": "country", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": "the subscriber's ISO 3166-1 alpha-2 country code"}}}
}

func query(params ...obj) obj { return obj{"parameters": params} }

func qparam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "required": false, "schema": schema, "description": desc}
}

// OpenAPI is the API's OpenAPI 3.0 document.
func OpenAPI() map[string]any {
	var states []any
	for _, s := range moveStates {
		states = append(states, string(s))
	}
	public := obj{"security": []obj{}}
	ok := func(desc, schema string) obj { return obj{"200": jsonBody(desc, ref(schema))} }
	shuttleVerb := func(summary string) obj {
		return op(summary, "operator, admin", merge(ok("the shuttle afterwards", "Shuttle"), errs(400, 401, 403, 404, 409, 413, 422, 503)), pathID("shuttle id (serial number)"))
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{"title": "fleetd API", "version": "1",
			"description": "The borderfleet fleet controller: container moves, shuttles, customs, chargers and the site. Errors are {\"error\", \"field\"}; request bodies are JSON with no unknown fields, at most 64 KiB by default."},
		"servers":  []obj{{"url": "/"}},
		"security": []obj{{"bearer": []string{}}},
		"paths": obj{
			"/v1/health": obj{"get": op("Liveness", "none (no token)", ok("alive", "Status"), public)},
			"/v1/ready": obj{"get": op("Readiness: 200 when this instance drives the fleet, 503 on standby", "none (no token)",
				obj{"200": jsonBody("active", ref("Status")), "503": jsonBody("standing by", ref("Status"))}, public)},
			"/v1/openapi.json": obj{"get": op("This document", "any", obj{"200": jsonBody("the document", obj{"type": "object"}), "401": obj{"$ref": "#/components/responses/E401"}})},
			"/v1/moves": obj{
				"post": op("Ask for a container move", "operator, admin",
					merge(obj{"201": jsonBody("the move, created", ref("Move")), "200": jsonBody("the move an earlier request with this Idempotency-Key made", ref("Move"))},
						errs(400, 401, 403, 409, 413, 415, 422, 503)),
					obj{"parameters": []obj{{"name": "Idempotency-Key", "in": "header", "required": true, "schema": obj{"type": "string", "maxLength": maxKeyLen},
						"description": "a unique key; a retry with the same key and body returns the same move"}},
						"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("MoveRequest")}}}}),
				"get": op("Moves, newest first, by pages: those that left fleetd's memory after its move_retention are read from the store's archive. "+
					"When more follow, the answer has next_cursor (give it as cursor=) and next (the request for the next page); a page may hold fewer than limit moves "+
					"(even none) with a filter that few archived moves match, and the listing ends at the first answer without next_cursor. "+
					"Paging gives every move that existed at the first page exactly once; moves made since are on a new first page. "+
					"A viewer gets a ViewerMoveList: no container numbers, declarations or clearance records; "+
					"container= and clearances= are refused to a viewer with 403", "viewer (redacted), operator, admin",
					merge(obj{"200": jsonBody("the moves (a ViewerMoveList for a viewer)", obj{"oneOf": []obj{ref("MoveList"), ref("ViewerMoveList")}})}, errs(400, 401, 403, 503)),
					query(qparam("state", "only moves in this state", obj{"type": "string", "enum": states}),
						qparam("container", "only moves of this container (ISO 6346); not for a viewer", obj{"type": "string"}),
						qparam("limit", "at most this many on the page (default 100)", obj{"type": "integer", "minimum": 1, "maximum": maxLimit}),
						qparam("cursor", "the next_cursor of the page before; absent: the first page", obj{"type": "string"}),
						qparam("clearances", "true: each move with its clearance records; not for a viewer", obj{"type": "boolean"}))),
			},
			"/v1/moves/{id}": obj{"get": op("One move with its history and clearance records; a viewer gets a ViewerMove (no container number, "+
				"declarations, clearance records or seal readings; of the history only the changes of state, without causes)", "viewer (redacted), operator, admin",
				merge(obj{"200": jsonBody("the move (a ViewerMove for a viewer)", obj{"oneOf": []obj{ref("Move"), ref("ViewerMove")}})}, errs(401, 403, 404, 503)), pathID("move id"))},
			"/v1/moves/{id}/cancel": obj{"post": op("Cancel a move before its pick: pending, or a shuttle on its way to pick it up (which is stopped and parks); 422 once the container is being loaded or is aboard",
				"operator, admin", merge(ok("the move afterwards", "Move"), errs(400, 401, 403, 404, 413, 415, 422, 503)),
				merge(pathID("move id"), obj{"requestBody": obj{"required": false, "content": obj{"application/json": obj{"schema": ref("CancelRequest")}}}}))},
			"/v1/moves/{id}/priority": obj{"post": op("Change the priority of a move that is not over (it matters while the move waits for a shuttle)",
				"operator, admin", merge(ok("the move afterwards", "Move"), errs(400, 401, 403, 404, 413, 415, 422, 503)),
				merge(pathID("move id"), obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("PriorityRequest")}}}}))},
			"/v1/shuttles": obj{
				"get": op("The shuttles on the roster, by pages in id order, as the core last published them (a listing never waits for the core); "+
					"when more match after a page, the answer has next_cursor (give it as cursor=) and next (the request for the next page). "+
					"A viewer's shuttles are without loads, order_id, factsheet and ignored_keys, and with one generic reason out of dispatch (the reasons quote the vehicle's loads). "+
					"An unknown parameter or a bad value is a 400 naming it", "viewer (redacted), operator, admin",
					merge(obj{"200": jsonBody("a page of shuttles", ref("ShuttleList"))}, errs(400, 401, 403, 503)),
					query(qparam("state", "only shuttles in this state", obj{"type": "string", "enum": joinStates(shuttleStates)}),
						qparam("activity", "only shuttles doing this (as their activity field says)", obj{"type": "string", "enum": joinStates(activityKinds)}),
						qparam("centre", "only shuttles whose last position lies in this logistics centre of the site", obj{"type": "string"}),
						qparam("limit", "at most this many on the page (default and most 1000)", obj{"type": "integer", "minimum": 1, "maximum": maxShuttleLimit}),
						qparam("cursor", "the next_cursor of the page before; absent: the first page", obj{"type": "string"}))),
				"post": op("Put a VDA 5050 vehicle on the roster; it joins the fleet when it reports its state from a node of the lanes (it is asked for its state and factsheet at once)",
					"admin", merge(obj{"201": jsonBody("the vehicle, on the roster", ref("Shuttle"))}, errs(400, 401, 403, 409, 413, 415, 503)),
					obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("AddShuttleRequest")}}}}),
			},
			"/v1/shuttles/{id}":                   obj{"get": op("One shuttle; a viewer's as in the list", "viewer (redacted), operator, admin", merge(ok("the shuttle", "Shuttle"), errs(401, 403, 404, 503)), pathID("shuttle id (serial number)"))},
			"/v1/shuttles/{id}/pause":             obj{"post": shuttleVerb("Pause a shuttle where it is (idle or driving)")},
			"/v1/shuttles/{id}/resume":            obj{"post": shuttleVerb("Let a paused shuttle go on")},
			"/v1/shuttles/{id}/charge":            obj{"post": shuttleVerb("Send a shuttle with no move (idle or on its way to park) to charge now, to the vehicle's full charge, at its centre's station")},
			"/v1/shuttles/{id}/park":              obj{"post": shuttleVerb("Send a shuttle with no move (idle, or on its way to charge) to the nearest free parking spot; it stays available to dispatch")},
			"/v1/shuttles/{id}/emergency-stop":    obj{"post": shuttleVerb("Stop a shuttle at once, whatever it does (VDA 5050 startPause; no more lane is granted; its move stays with it). The fleet's stop, not a safety function")},
			"/v1/shuttles/{id}/emergency-release": obj{"post": shuttleVerb("Release a stopped shuttle: it goes on with what it was doing")},
			"/v1/shuttles/{id}/out-of-service":    obj{"post": shuttleVerb("Take a shuttle out of service: it takes no work and parks; a move it was to pick up goes back to the pending moves (for a shuttle in fault, also the pick it kept); it stays out through faults and repairs; 422 with a container aboard")},
			"/v1/shuttles/{id}/in-service":        obj{"post": shuttleVerb("Put a shuttle back into service")},
			"/v1/lanes": obj{"get": op("The site's lanes and which are closed (lanes, or single links \"lane#n\")", "viewer, operator, admin",
				merge(obj{"200": jsonBody("the lanes", object([]string{"lanes", "closed"}, obj{"lanes": array(ref("Lane")), "closed": array(str("closed lane or link id"))}))}, errs(401, 403, 503)))},
			"/v1/lanes/{id}/close": obj{"post": op("Close a lane (or one link, \"lane#n\") to new routes; shuttles routed over it are re-routed where another way exists", "operator, admin",
				merge(ok("the closure", "LaneChange"), errs(400, 401, 403, 404, 413, 422, 503)), pathID("lane or link id"))},
			"/v1/lanes/{id}/reopen": obj{"post": op("Reopen a closed lane or link", "operator, admin",
				merge(ok("the lanes closed afterwards", "LaneChange"), errs(400, 401, 403, 404, 413, 422, 503)), pathID("lane or link id"))},
			"/v1/shuttles/{id}/clear-fault": obj{"post": shuttleVerb("Put a faulted shuttle back into dispatch after a failed action, repeated rejections or a position mismatch; 422 names what only the vehicle can clear (a broken link, a FATAL error, manual mode, an emergency stop)")},
			"/v1/customs/queue": obj{"get": op("Containers waiting for customs; an officer sees the own country's checkpoints only", "customs:<country> (a country with a checkpoint on the site), admin",
				merge(obj{"200": jsonBody("the queue, longest waiting first", object([]string{"at", "queue"}, obj{"at": obj{"type": "string", "format": "date-time", "description": "the core's clock, to count waiting time from"}, "queue": array(ref("GateWait"))}))}, errs(400, 401, 403, 503)),
				query(qparam("checkpoint", "only this checkpoint (403 for another country's)", obj{"type": "string"})))},
			"/v1/customs/clearances": obj{"get": op("Clearance records: where each open move's container stands with customs at each checkpoint of its way (status, since, every decision with officer and reason, arrival, inspection, passing, refusal); an officer sees the own country's checkpoints only", "customs:<country> (a country with a checkpoint on the site), admin",
				merge(obj{"200": jsonBody("the records, oldest move first", object([]string{"at", "clearances"}, obj{"at": obj{"type": "string", "format": "date-time", "description": "the core's clock, to count waiting time from"}, "clearances": array(ref("ClearanceItem"))}))}, errs(400, 401, 403, 503)),
				query(qparam("checkpoint", "only this checkpoint (403 for another country's)", obj{"type": "string"}),
					qparam("status", "only this status", obj{"type": "string", "enum": []string{"expected", "pre_cleared", "released", "to_inspect", "waiting", "inspection", "held", "refused", "passed"}}),
					qparam("all", "true: moves that are over too", obj{"type": "boolean"})))},
			"/v1/customs/decisions": obj{"post": op("Decide on a container at a checkpoint of the officer's country; the officer is the token's name", "customs:<country> (a country with a checkpoint on the site), admin",
				merge(ok("the decision as recorded", "Decision"), errs(400, 401, 403, 404, 413, 415, 422, 503)),
				obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("DecisionRequest")}}}})},
			"/v1/customs/declarations": obj{"post": op("File a customs declaration for a container in one country (an officer, or the country's customs system with an officer's token: the own country only). Kept for the container's next move if it has no open one; a new one for the same container and country replaces the one in force (the move's history keeps both). With fleetd's hold_without_declaration a container is held at a gate of a country it has no declaration for", "customs:<country> (own country), operator, admin",
				merge(obj{"201": jsonBody("the declaration in force, and the open move it went to", ref("DeclarationAnswer"))}, errs(400, 401, 403, 413, 415, 422, 503)),
				obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("DeclarationRequest")}}}})},
			"/v1/customs/seals": obj{"post": op("A seal reader's reading of a container's seals at a checkpoint, checked against the declaration of the checkpoint's country (or else any of the container's). A declared seal not read, a seal read but not declared, or one opened or tampered holds the container at the gate for an officer (a release given before no longer lets it pass) and raises a seal alert both countries see; a clean reading changes nothing. 409 for a container with no open move, a checkpoint not on its way or one it passed", "customs:<country> (the checkpoint's), admin",
				merge(ok("the reading as checked, and the clearance record there", "SealReadingAnswer"), errs(400, 401, 403, 404, 409, 413, 415, 422, 503)),
				obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("SealReadingRequest")}}}})},
			"/v1/customs/webhooks": obj{"get": op("The customs webhooks: per subscribing country its URL, cursor (last audit seq delivered or dead-lettered), backlog, the head entry's failed attempts and last error, and its dead letters", "admin",
				merge(obj{"200": jsonBody("one per subscriber", object([]string{"webhooks"}, obj{"webhooks": array(ref("Webhook"))}))}, errs(401, 403, 503)))},
			"/v1/customs/webhooks/{country}/dead-letters": obj{"get": op("A subscriber's dead letters: audit entries given up on after the last attempt, oldest first", "admin",
				merge(obj{"200": jsonBody("the dead letters", object([]string{"country", "dead_letters"}, obj{"country": str(""), "dead_letters": array(ref("DeadLetter"))}))}, errs(401, 403, 404, 503)), pathCountry())},
			"/v1/customs/webhooks/{country}/dead-letters/replay": obj{"post": op("Deliver a subscriber's dead letters again (all, or the one whose audit seq is given), before the entries after its cursor; each that fails again is a dead letter again", "admin",
				merge(obj{"200": jsonBody("how many were queued", object([]string{"country", "replayed"}, obj{"country": str(""), "replayed": integer("")}))}, errs(400, 401, 403, 404, 413, 415, 503)),
				merge(pathCountry(), obj{"requestBody": obj{"required": false, "content": obj{"application/json": obj{"schema": ref("ReplayRequest")}}}}))},
			"/v1/chargers": obj{"get": op("Charging stations, the shuttles charging now and the charger reservations not yet ended", "viewer, operator, admin",
				merge(obj{"200": jsonBody("the stations", object([]string{"stations"}, obj{"stations": array(ref("Station"))}))}, errs(401, 403, 503)))},
			"/v1/site": obj{"get": op("The site and its lane graph as GeoJSON; graph_node features carry the VDA 5050 x, y and map_id", "any",
				merge(obj{"200": obj{"description": "a GeoJSON FeatureCollection", "content": obj{"application/geo+json": obj{"schema": obj{"type": "object"}}}}}, errs(401, 403)))},
			"/v1/events": obj{"get": op("Server-Sent Events: a \"snapshot\" event first (schema Snapshot: moves by state, archived ones included, shuttles, gate queue, chargers, closed lanes), then every second a \"delta\" (schema Delta: the same, with only the shuttles that changed since the event before; merge them by id). "+
				"Snapshots and deltas have an id; reconnecting with Last-Event-ID gives a delta from that event (and the moves changed since) while it is among the last 64 sent, else a fresh snapshot. "+
				"Before the first a \"move\" event (schema Move, with its clearances) for each open move (not the history: that is GET /v1/moves), then one for each move created or changed (state, history, priority or checkpoints); move events have no id. "+
				"A viewer's snapshot has gate_counts and no gates; its move events are ViewerMoves, sent when a move's state or priority changes", "viewer (redacted), operator, admin",
				merge(obj{"200": obj{"description": "an event stream", "content": obj{"text/event-stream": obj{"schema": obj{"type": "string"}}}}}, errs(401, 403)),
				obj{"parameters": []obj{{"name": "Last-Event-ID", "in": "header", "required": false, "schema": obj{"type": "string"},
					"description": "the id of the last snapshot or delta received, to go on from it"}}})},
			"/v1/audit/export": obj{"get": op("The chain-of-custody audit log as one country's customs may see it, signed with the deployment's Ed25519 key: JSON Lines of a header "+
				"(format, country, exported_at, head_seq, head_hash, shown, withheld, alg, key_id), one line per entry from seq 1 to the head "+
				"({\"entry\": {...}} in full if the country may see it, else {\"withheld\": {\"seq\", \"prev\", \"hash\"}}) and a last line "+
				"{\"signature\": base64} over the exact bytes of every line before it. Check it offline with fleetctl audit verify --export FILE --pubkey KEY. "+
				"400 for a country with no checkpoint on the site, 403 for another country's officer, 503 when no audit key is configured",
				"customs:<country> (the own country only; the default), admin (any country)",
				merge(obj{"200": obj{"description": "the signed export", "content": obj{"application/jsonl": obj{"schema": obj{"type": "string"}}}}}, errs(400, 401, 403, 500, 503)),
				query(qparam("country", "ISO 3166 alpha-2 code of a country with a checkpoint on the site (an officer's own by default)", obj{"type": "string"})))},
			"/v1/audit/key": obj{"get": op("The public key that signs audit exports; an authority should get it from the deployment by a second channel too, and compare the key id", "any",
				merge(ok("the public key", "AuditKey"), errs(401, 503)))},
		},
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "a token from fleetd's tokens file"}},
			"responses":       errorResponses(),
			"schemas":         schemas(states),
		},
	}
}

func errorResponses() obj {
	out := obj{}
	for c, d := range map[int]string{400: "bad request (the field at fault is named)", 401: "no valid bearer token", 403: "the token's role may not do this",
		404: "not found", 409: "conflicts with the state of things", 413: "request body too large", 415: "not JSON",
		422: "refused by the fleet controller", 500: "an internal error (for the audit export: the audit log is broken)",
		503: "standing by, the fleet core does not answer, or what the request needs is not configured"} {
		out["E"+itoa(c)] = jsonBody(d, ref("Error"))
	}
	return out
}

func schemas(states []any) obj {
	t := func(desc string) obj { return obj{"type": "string", "format": "date-time", "description": desc} }
	pos := object([]string{"x", "y", "map_id"}, obj{"x": number("metres east of the site origin"), "y": number("metres north of the site origin"), "map_id": str("VDA 5050 mapId")})
	clearanceProps := obj{"checkpoint": str(""), "country": str(""),
		"status": obj{"type": "string", "enum": []string{"expected", "pre_cleared", "released", "to_inspect", "waiting", "inspection", "held", "refused", "passed"}},
		"since":  t("when the status began"), "decisions": array(ref("DecisionTaken")),
		"arrived": t("reached the stop line and waited"), "inspected": t("reached the inspection bay"), "passed": t("passed on its way"), "refused": t("turned back"),
		"declaration":   ref("CustomsDeclaration"),
		"seal_readings": array(ref("SealReading")),
		"seal_alert":    str("what the last seal reading with a problem found, until an officer decides here after it"),
		"held":          str("why the container is held here whatever was decided (a seal alert; no declaration filed for the country)"),
		"can_decide":    boolean("a decision here would be taken now (not passed, on the way, the move not over or refused); whoever's role may decide here")}
	clearance := object(nil, clearanceProps)
	declProps := obj{"container": str("ISO 6346 container number"), "country": str("ISO 3166 alpha-2 code of a country with a checkpoint on the site"),
		"reference": str("declaration reference (at most 200 characters)"), "declarant": str("(at most 200 characters)"), "goods": str("goods description (at most 500 characters)"),
		"gross_mass_kg": obj{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 200000},
		"seals":         array(obj{"type": "string", "maxLength": 40, "description": "ISO 17712 seal number: printable, no duplicates"})}
	seal := object([]string{"number", "state"}, obj{"number": obj{"type": "string", "maxLength": 40, "description": "ISO 17712 seal number"},
		"state": obj{"type": "string", "enum": []string{"sealed", "opened", "tampered"}}})
	gate := object(nil, obj{"checkpoint": str(""), "country": str(""), "move": str(""), "container": str(""), "shuttle": str(""),
		"inspection": boolean("sent to inspection"), "at_inspection_bay": boolean("being inspected"), "decided": boolean("a decision waits to be applied"),
		"held":  str("why it is held whatever was decided"),
		"since": t("reached the stop line (waiting time, inspection included)"), "can_decide": boolean("a decision on it here would be taken now")})
	waiting := object([]string{"kind"}, obj{
		"kind": obj{"type": "string", "enum": []WaitKind{WaitRoute, WaitBay, WaitRelease, WaitHeld, WaitInspection, WaitCustomsBay, WaitCharger, WaitTraffic, WaitShuttle},
			"description": "what it waits for: route (no route can be made now), bay (to load or unload at), release (a customs decision at a gate), held (at a gate whatever was decided), inspection (its end), customs_place (a place in a checkpoint's customs area), charger, traffic (a shuttle ahead), shuttle (a move no shuttle was given yet)"},
		"detail": str("where or why: the bay, checkpoint or station; why no route; why shuttles were passed over, by kind"),
		"since":  t("when the wait began (the core's clock)")})
	moveTimes := obj{"state_since": t("when it came into its state (the core's clock)"),
		"waiting": ref("Waiting")} // of itself (a shuttle, a decision, an inspection); under way, what its shuttle waits for
	shuttleTimes := obj{"activity_detail": str("where or why: the bay, checkpoint or station it waits for, why no route"),
		"activity_since": t("when its activity began (the core's clock)"), "waiting": ref("Waiting")}
	return obj{
		"Waiting": waiting,
		"AuditKey": object([]string{"algorithm", "key_id", "public_key", "pem"}, obj{"algorithm": str("Ed25519"),
			"key_id": str("first 8 bytes of the SHA-256 of the raw key, hex"), "public_key": str("base64 of the 32 raw bytes"), "pem": str("PKIX PUBLIC KEY PEM")}),
		"Error":  object([]string{"error"}, obj{"error": str("what is wrong"), "field": str("the request field at fault, if one is")}),
		"Status": object([]string{"status"}, obj{"status": str("ok, active or standby")}),
		"MoveRequest": object([]string{"container", "origin", "destination"}, obj{
			"container": str("ISO 6346 container number, such as MSCU1234566"), "origin": str("yard bay id"), "destination": str("yard bay id"),
			"priority": obj{"type": "integer", "minimum": -maxPriority, "maximum": maxPriority, "description": "higher goes first"}, "earliest_pickup": t("not picked up before"), "deadline": t("to be delivered by"),
			"declaration": str("customs declaration reference"), "pre_cleared": boolean("customs cleared it before the gates")}),
		"Transition": object(nil, obj{"at": t(""), "from": str(""), "to": str(""), "cause": str(""),
			"decision":   str("set for a customs decision noted (release, inspect or refuse); from and to are then the state it was in"),
			"event":      str("set for a note that is no change of state: declaration, seal_read, seal_alert or held"),
			"actor":      str("who a note is by"),
			"checkpoint": str("where a note happened")}),
		"Move": object([]string{"id", "container", "origin", "destination", "state", "state_since"}, merge(obj{
			"id": str(""), "container": str(""), "origin": str(""), "destination": str(""), "priority": integer(""),
			"earliest_pickup": t(""), "deadline": t(""), "declaration": str(""), "pre_cleared": boolean(""),
			"state": obj{"type": "string", "enum": states}, "shuttle": str("the shuttle assigned"), "created": t(""),
			"history": array(ref("Transition")), "passed_over": array(str("why a shuttle was passed over")),
			"clearances": array(ref("Clearance")), "declarations": array(ref("CustomsDeclaration")),
			"seal_alerts": array(ref("SealAlert"))}, moveTimes)),
		"CancelRequest":   object(nil, obj{"reason": str("why, for the move's history and the audit trail")}),
		"PriorityRequest": object([]string{"priority"}, obj{"priority": obj{"type": "integer", "minimum": -maxPriority, "maximum": maxPriority, "description": "higher goes first"}}),
		"AddShuttleRequest": object([]string{"manufacturer", "serial_number"}, obj{"manufacturer": str("as in the vehicle's VDA 5050 topics"),
			"serial_number": str("as in the vehicle's VDA 5050 topics; the shuttle's id"), "type": str("a model name, for people")}),
		"Lane": object([]string{"id", "closed"}, obj{"id": str(""), "name": str(""), "closed": boolean("the whole lane is closed"),
			"closed_links": array(str("closed links of it"))}),
		"LaneChange": object([]string{"lane", "closed", "still_routed_over", "closed_lanes"}, obj{"lane": str(""), "closed": boolean(""),
			"still_routed_over": array(str("shuttles with no other way to their goal")), "closed_lanes": array(str("every closed lane or link"))}),
		"MoveList": object([]string{"moves"}, obj{"moves": array(ref("Move")), "total": integer("moves matching, on every page; absent for a container= listing once moves were archived"),
			"next_cursor": str("the cursor of the next page; absent on the last"), "next": str("the request for the next page; absent on the last")}),
		"ViewerMove": object([]string{"id", "origin", "destination", "state", "state_since", "redacted"}, merge(obj{
			"id": str(""), "origin": str(""), "destination": str(""), "priority": integer(""), "earliest_pickup": t(""), "deadline": t(""),
			"state": obj{"type": "string", "enum": states}, "shuttle": str("the shuttle assigned"), "created": t(""),
			"history": array(ref("ViewerTransition")), "redacted": boolean("always true: a viewer's view, without the container number and customs records")}, moveTimes)),
		"ViewerTransition": object([]string{"at", "from", "to"}, obj{"at": t(""), "from": str(""), "to": str("")}),
		"ViewerMoveList": object([]string{"moves"}, obj{"moves": array(ref("ViewerMove")), "total": integer("moves matching, on every page"),
			"next_cursor": str("the cursor of the next page; absent on the last"), "next": str("the request for the next page; absent on the last")}),
		"Position": pos,
		"Shuttle": object([]string{"id"}, merge(obj{
			"id": str("serial number"), "manufacturer": str(""), "serial_number": str(""), "connection": str("ONLINE, OFFLINE or CONNECTIONBROKEN"),
			"joined": boolean(""), "state": str("the controller's shuttle state"), "activity": str(""), "soc": number("state of charge, 0..1"),
			"last_node": str(""), "position": ref("Position"), "driving": boolean(""), "order_id": str("not for a viewer"), "loads": array(str("the loadIds it reports: container numbers; not for a viewer")),
			"move": str("the move it carries out"), "reasons": array(str("why it is out of dispatch (a viewer: one generic line)")), "state_at": t("its last state"),
			"factsheet": object(nil, obj{"series_name": str(""), "agv_class": str(""), "min_order_interval_s": number(""),
				"min_state_interval_s": number(""), "actions": array(str("action types it supports")),
				"warnings": array(str("where its action parameters and the roster entry's disagree"))}),
			"ignored_keys": array(str("keys of its messages fleetd does not know and ignores, topic:path"))}, shuttleTimes)),
		"ShuttleStatus": object([]string{"id"}, merge(obj{"id": str(""), "state": str(""), "activity": str(""), "soc": number(""),
			"last_node": str(""), "position": ref("Position"), "move": str("")}, shuttleTimes)),
		"GateWait": gate,
		"DecisionRequest": object([]string{"checkpoint", "move", "decision"}, obj{"checkpoint": str("checkpoint id"), "move": str("move id"),
			"decision": obj{"type": "string", "enum": []string{"release", "inspect", "refuse"}}, "reason": str("")}),
		"Decision": object(nil, obj{"checkpoint": str(""), "country": str(""), "move": str(""), "decision": str(""), "officer": str(""),
			"reason": str(""), "move_state": str(""), "clearance": ref("Clearance")}),
		"Clearance": clearance,
		"ClearanceItem": object(nil, merge(obj{"move": str(""), "container": str(""), "move_state": str(""),
			"seal_alerts": array(ref("SealAlert"))}, clearanceProps)),
		"DeclarationRequest": object([]string{"container", "country", "reference", "declarant", "goods", "gross_mass_kg", "seals"}, declProps),
		"CustomsDeclaration": object(nil, merge(obj{"filed_by": str("who filed it, as the audit trail names them"), "filed": t("")}, declProps)),
		"DeclarationAnswer": object(nil, merge(obj{"filed_by": str(""), "filed": t(""),
			"move": str("the open move it went to; absent: kept for the container's next move")}, declProps)),
		"Seal": seal,
		"SealReadingRequest": object([]string{"checkpoint", "container", "seals"}, obj{"checkpoint": str("checkpoint id"),
			"container": str("ISO 6346 container number"), "seals": array(ref("Seal"))}),
		"SealReading": object(nil, obj{"at": t(""), "read_by": str(""), "seals": array(ref("Seal")),
			"problems": array(str("a mismatch with the declaration, or a seal opened or tampered; empty: clean"))}),
		"SealReadingAnswer": object(nil, obj{"checkpoint": str(""), "country": str(""), "container": str(""), "move": str(""),
			"at": t(""), "read_by": str(""), "seals": array(ref("Seal")), "problems": array(str("")),
			"held": boolean("a problem holds the container at the gate for an officer"), "move_state": str(""), "clearance": ref("Clearance")}),
		"SealAlert":     object(nil, obj{"at": t(""), "checkpoint": str("where it was raised"), "detail": str("the problem")}),
		"DecisionTaken": object(nil, obj{"at": t(""), "decision": str("release, inspect or refuse"), "officer": str(""), "reason": str("")}),
		"Station": object(nil, obj{"id": str(""), "name": str(""), "centre": str(""), "chargers": integer(""), "charger_power_kw": number(""),
			"grid_cap_kw": number(""), "position": ref("Position"), "charging": array(str("shuttle id")), "free": integer("chargers not in use"),
			"reservations": array(ref("Reservation"))}),
		"Reservation": object(nil, obj{"shuttle": str(""), "charger": integer("0 .. chargers-1"), "start": t(""), "end": t(""),
			"from_soc": number("expected state of charge on arrival, 0..1"), "to_soc": number("target, 0..1"), "power_kw": number(""),
			"checked_in": boolean("the shuttle has plugged in")}),
		"Webhook": object([]string{"country", "url", "cursor", "backlog", "attempts", "dead_letters", "replaying", "counts"}, obj{
			"country": str(""), "url": str(""), "cursor": integer("the last audit seq delivered or dead-lettered, as journaled"),
			"backlog": integer("entries the country may see after the cursor, and dead letters queued for replay"),
			"head":    integer("the audit seq being tried, while it fails"), "attempts": integer("failed attempts at the head"),
			"last_error": str("the last failed attempt's reason"), "last_try": t("the last attempt"),
			"dead_letters": integer(""), "replaying": integer("dead letters queued for another delivery"),
			"counts": obj{"type": "object", "additionalProperties": obj{"type": "integer"}, "description": "this instance's attempts since it started, by result: delivered, failed, dead_letter"}}),
		"DeadLetter": object([]string{"seq", "attempts", "reason", "at"}, obj{"seq": integer("the audit entry's seq"), "attempts": integer(""),
			"reason": str("the last attempt's failure"), "at": t("when it was given up on")}),
		"ReplayRequest": object(nil, obj{"seq": integer("the one dead letter to replay; absent or 0: all")}),
		"Snapshot": object(nil, obj{"at": t("the core's clock"), "active": boolean(""), "moves": obj{"type": "object", "additionalProperties": obj{"type": "integer"}},
			"shuttles": array(ref("ShuttleStatus")), "gates": array(ref("GateWait")), "gate_counts": obj{"type": "object", "additionalProperties": obj{"type": "integer"}, "description": "containers waiting per checkpoint (a viewer gets these, and no gates)"}, "chargers": array(ref("Station")),
			"closed_lanes": array(str("closed lane or link id"))}),
		"Delta": object([]string{"since"}, obj{"since": integer("the id of the event this one follows"), "at": t("the core's clock"), "active": boolean(""),
			"moves":    obj{"type": "object", "additionalProperties": obj{"type": "integer"}},
			"shuttles": array(ref("ShuttleStatus")), "gates": array(ref("GateWait")), "gate_counts": obj{"type": "object", "additionalProperties": obj{"type": "integer"}}, "chargers": array(ref("Station")),
			"closed_lanes": array(str("closed lane or link id"))}),
		"ShuttleList": object([]string{"shuttles", "total", "at"}, obj{"shuttles": array(ref("Shuttle")), "total": integer("the shuttles that match, on every page"),
			"next_cursor": str("give it as cursor= for the next page; absent on the last"), "next": str("the request for the next page"),
			"at": t("the core's clock when what the page shows was published")}),
	}
}

// joinStates are values for an enum.
func joinStates[S ~string](vs []S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// openapi is GET /v1/openapi.json.
func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ Token) error {
	writeJSON(w, http.StatusOK, OpenAPI())
	return nil
}
