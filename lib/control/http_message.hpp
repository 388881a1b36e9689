// What the REST layer sees of an HTTP exchange: no Beast types, so handlers are unit-tested
// without sockets.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace postern::control {

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query, as sent
    std::string authorization;  // the Authorization header, or ""
    std::string body;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra: Allow, WWW-Authenticate
};

// Handlers answer through this, now or later (on the control thread); exactly once.
using Reply = std::function<void(Response)>;

}  // namespace postern::control
