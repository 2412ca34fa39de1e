// weft::warc: an HTTP exchange (a weft request and the response a fetcher gave) as a pair of
// WARC request/response records, and a response record back as a weft response.
//
// A fetcher gives the decoded body (Content-Encoding and Transfer-Encoding undone), not the bytes
// on the wire. The response record holds that decoded body, so its header block is rewritten to
// match it: Content-Encoding, Transfer-Encoding and Content-Length keep their place under the
// names X-Archive-Orig-Content-Encoding, ... (the prefix web archives use for such headers) and a
// Content-Length of the decoded body is added last; the record says so with the field
// "Weft-Payload: decoded". A reader of the WARC (warcio, pywb) sees a consistent HTTP message;
// response_from_record() undoes the rewrite, so a replayed response has the headers the spider
// saw when it was recorded. HTTP/2 responses are written with an HTTP/1.1 status line (what WARC
// readers parse) and "WARC-Protocol: h2".
//
// Errors: response_from_record() throws warc::format_error (<weft/warc/reader.hpp>) for a block
// that is not an HTTP response.
#pragma once

#include <weft/http/request.hpp>
#include <weft/http/response.hpp>
#include <weft/warc/record.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace weft::warc
{

/// The request and response records of one fetch, linked by WARC-Concurrent-To. `body` is the
/// response's decoded body (response::body, or what a body_sink received). `user_agent` is the
/// fetcher's, written when the request sets none.
std::pair<record, record> exchange_records(http::request const& req, http::response const& res, std::string_view body,
                                           std::string_view user_agent, std::chrono::system_clock::time_point when);

/// The warcinfo record that opens a file: `fields` is its application/warc-fields block
/// ("software: weft/0.1.0\r\n...").
record warcinfo_record(std::string_view filename, std::string fields);

/// A response record (as exchange_records() writes it, or another tool's) as a weft response:
/// status, reason, headers (the rewrite undone), body, url, final_url, http_version.
/// @throws format_error naming `r.offset`
http::response response_from_record(record const& r);

/// "METHOD canonical-URL", and " sha1:..." of the body when there is one: what a replayed request
/// is looked up by.
std::string replay_key(std::string_view method, std::string_view url, std::string_view body);

} // namespace weft::warc
