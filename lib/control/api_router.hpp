// The HTTP API: routes a request to its handler after the checks every route shares (method,
// bearer token for mutating calls, known query parameters). Answers JSON, Prometheus text, or an
// RFC 9457 problem. Control thread only.
#pragma once

#include <string>

#include "control/api_backend.hpp"
#include "control/http_message.hpp"

namespace postern::control {

class ApiRouter {
public:
    // With `read_token_required` the reads that show mail contents need the token too.
    ApiRouter(ApiBackend &backend, std::string token, bool read_token_required = false)
        : backend_(backend), token_(std::move(token)), read_token_required_(read_token_required) {}
    void handle(const Request &req, Reply reply);

private:
    ApiBackend &backend_;
    std::string token_;
    bool read_token_required_;
};

inline constexpr const char *kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace postern::control
