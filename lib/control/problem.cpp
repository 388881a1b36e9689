#include "control/problem.hpp"

#include <nlohmann/json.hpp>

namespace postern::control {

std::string_view reason_phrase(unsigned status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

Response problem(unsigned status, std::string_view detail, const std::vector<std::string> &errors) {
    nlohmann::ordered_json j = {{"type", "about:blank"},
                                {"title", reason_phrase(status)},
                                {"status", status},
                                {"detail", detail}};
    if (!errors.empty()) j["errors"] = errors;
    Response r;
    r.status = status;
    r.content_type = "application/problem+json";
    r.body = j.dump();
    return r;
}

}  // namespace postern::control
