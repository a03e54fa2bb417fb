#include "qmp_client.hpp"

#include <atomic>
#include <deque>
#include <future>
#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace mw::vm::hypervisor::qemu {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

struct QmpClient::Impl : std::enable_shared_from_this<QmpClient::Impl> {
  enum class Phase { idle, connecting, greeted, ready, closed };

  struct Pending {
    ResultHandler handler;
    std::unique_ptr<asio::steady_timer> timer;
  };

  explicit Impl(asio::io_context& io) : io(io), strand(asio::make_strand(io)), socket(strand), connect_timer(strand) {}

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  Socket socket;
  asio::steady_timer connect_timer;
  Phase phase = Phase::idle;
  std::string read_buffer;
  std::deque<std::string> write_queue;
  std::map<std::uint64_t, Pending> pending;
  std::uint64_t next_id = 1;
  ConnectHandler connect_handler;
  EventHandler event_handler;
  DisconnectHandler disconnect_handler;
  std::atomic<bool> detached{false};  // owner gone: report nothing more
  std::atomic<bool> is_connected{false};

  void start_connect(const std::string& path, std::chrono::milliseconds timeout, ConnectHandler handler) {
    if (phase != Phase::idle) {
      handler(std::make_error_code(std::errc::already_connected), "QMP client already used");
      return;
    }
    phase = Phase::connecting;
    connect_handler = std::move(handler);
    connect_timer.expires_after(timeout);
    connect_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || !self->connect_handler) return;
      self->fail(std::make_error_code(std::errc::timed_out), "timed out waiting for the QMP greeting");
    });
    socket.async_connect(asio::local::stream_protocol::endpoint(path),
                         [self = shared_from_this(), path](boost::system::error_code ec) {
                           if (self->phase == Phase::closed) return;
                           if (ec) {
                             self->fail(std::error_code(ec.value(), std::system_category()),
                                        "cannot connect to " + path + ": " + ec.message());
                             return;
                           }
                           self->read_next();
                         });
  }

  // Ends the connection; the connect handler (while connecting) or the disconnect handler hears why.
  void fail(std::error_code ec, const std::string& reason) {
    if (phase == Phase::closed) return;
    phase = Phase::closed;
    is_connected = false;
    boost::system::error_code ignored;
    socket.close(ignored);
    connect_timer.cancel();
    auto waiting = std::move(pending);
    pending.clear();
    for (auto& [id, p] : waiting) {
      p.timer->cancel();
      if (!detached) p.handler({false, nullptr, "Disconnected", reason});
    }
    if (connect_handler) {
      auto handler = std::move(connect_handler);
      connect_handler = nullptr;
      if (!detached) handler(ec ? ec : std::make_error_code(std::errc::connection_aborted), reason);
    } else if (disconnect_handler && !detached) {
      disconnect_handler(reason);
    }
  }

  void read_next() {
    asio::async_read_until(
        socket, asio::dynamic_buffer(read_buffer), '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (self->phase == Phase::closed) return;
          if (ec) {
            self->fail(std::error_code(ec.value(), std::system_category()),
                       ec == asio::error::eof ? "QMP connection closed by QEMU" : "QMP read failed: " + ec.message());
            return;
          }
          std::string line = self->read_buffer.substr(0, n);
          self->read_buffer.erase(0, n);
          self->handle_line(line);
          if (self->phase != Phase::closed) self->read_next();
        });
  }

  void handle_line(const std::string& line) {
    boost::system::error_code ec;
    json::value message = boost::json::parse(line, ec);
    if (ec || !message.is_object()) {
      fail(std::make_error_code(std::errc::protocol_error), "QMP sent something that is not JSON: " + line);
      return;
    }
    auto& obj = message.as_object();
    if (obj.contains("QMP")) {
      if (phase != Phase::connecting) return;
      phase = Phase::greeted;
      send_command("qmp_capabilities", {}, std::chrono::seconds(30), [self = shared_from_this()](QmpResult r) {
        if (!r.ok) {
          self->fail(std::make_error_code(std::errc::protocol_error), "qmp_capabilities failed: " + r.error_desc);
          return;
        }
        self->phase = Phase::ready;
        self->is_connected = true;
        self->connect_timer.cancel();
        auto handler = std::move(self->connect_handler);
        self->connect_handler = nullptr;
        if (handler && !self->detached) handler({}, "connected");
      });
      return;
    }
    if (auto* event = obj.if_contains("event")) {
      if (!event_handler || detached || !event->is_string()) return;
      QmpEvent e{std::string(event->get_string()), nullptr, nullptr};
      if (auto* data = obj.if_contains("data")) e.data = *data;
      if (auto* ts = obj.if_contains("timestamp")) e.timestamp = *ts;
      event_handler(e);
      return;
    }
    auto* id = obj.if_contains("id");
    if (!id || (!id->is_uint64() && !id->is_int64())) return;  // not one of ours
    auto it = pending.find(id->to_number<std::uint64_t>());
    if (it == pending.end()) return;  // already timed out
    auto p = std::move(it->second);
    pending.erase(it);
    p.timer->cancel();
    QmpResult result;
    if (auto* ret = obj.if_contains("return")) {
      result.ok = true;
      result.value = *ret;
    } else if (auto* err = obj.if_contains("error"); err && err->is_object()) {
      const auto& e = err->get_object();
      if (auto* c = e.if_contains("class"); c && c->is_string()) result.error_class = c->get_string();
      if (auto* d = e.if_contains("desc"); d && d->is_string()) result.error_desc = d->get_string();
    } else {
      result.error_class = "ProtocolError";
      result.error_desc = "reply without return or error";
    }
    if (!detached) p.handler(std::move(result));
  }

  void send_command(const std::string& command, json::object arguments, std::chrono::milliseconds timeout,
                    ResultHandler handler) {
    if (phase == Phase::closed || phase == Phase::idle || phase == Phase::connecting) {
      handler({false, nullptr, "Disconnected", "QMP is not connected"});
      return;
    }
    const auto id = next_id++;
    json::object request{{"execute", command}, {"id", id}};
    if (!arguments.empty()) request["arguments"] = std::move(arguments);
    auto timer = std::make_unique<asio::steady_timer>(strand, timeout);
    timer->async_wait([self = shared_from_this(), id, command](boost::system::error_code ec) {
      if (ec) return;
      auto it = self->pending.find(id);
      if (it == self->pending.end()) return;
      auto handler = std::move(it->second.handler);
      self->pending.erase(it);
      if (!self->detached) handler({false, nullptr, "Timeout", "QMP command '" + command + "' timed out"});
    });
    pending.emplace(id, Pending{std::move(handler), std::move(timer)});
    write(json::serialize(request) + "\n");
  }

  void write(std::string data) {
    write_queue.push_back(std::move(data));
    if (write_queue.size() == 1) write_front();
  }

  void write_front() {
    asio::async_write(socket, asio::buffer(write_queue.front()),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (self->phase == Phase::closed) return;
                        if (ec) {
                          self->fail(std::error_code(ec.value(), std::system_category()),
                                     "QMP write failed: " + ec.message());
                          return;
                        }
                        self->write_queue.pop_front();
                        if (!self->write_queue.empty()) self->write_front();
                      });
  }
};

QmpClient::QmpClient(asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {}

QmpClient::~QmpClient() {
  impl_->detached = true;
  close();
}

void QmpClient::on_event(EventHandler handler) { impl_->event_handler = std::move(handler); }
void QmpClient::on_disconnect(DisconnectHandler handler) { impl_->disconnect_handler = std::move(handler); }

void QmpClient::async_connect(const std::string& socket_path, std::chrono::milliseconds timeout,
                              ConnectHandler handler) {
  asio::post(impl_->strand, [impl = impl_, socket_path, timeout, handler = std::move(handler)]() mutable {
    impl->start_connect(socket_path, timeout, std::move(handler));
  });
}

void QmpClient::async_execute(const std::string& command, json::object arguments, std::chrono::milliseconds timeout,
                              ResultHandler handler) {
  asio::post(impl_->strand, [impl = impl_, command, arguments = std::move(arguments), timeout,
                             handler = std::move(handler)]() mutable {
    impl->send_command(command, std::move(arguments), timeout, std::move(handler));
  });
}

void QmpClient::close() {
  asio::post(impl_->strand, [impl = impl_] { impl->fail({}, "closed by the client"); });
}

bool QmpClient::connected() const { return impl_->is_connected; }

namespace {

void refuse_on_io_thread(asio::io_context& io) {
  if (io.get_executor().running_in_this_thread()) {
    throw std::logic_error("blocking QMP call on the io_context thread");
  }
}

}  // namespace

void QmpClient::connect(const std::string& socket_path, std::chrono::milliseconds timeout) {
  refuse_on_io_thread(impl_->io);
  auto done = std::make_shared<std::promise<std::pair<std::error_code, std::string>>>();
  auto result = done->get_future();
  async_connect(socket_path, timeout, [done](std::error_code ec, const std::string& message) {
    done->set_value({ec, message});
  });
  auto [ec, message] = result.get();
  if (ec) throw std::system_error(ec, message);
}

json::value QmpClient::execute(const std::string& command, json::object arguments, std::chrono::milliseconds timeout) {
  refuse_on_io_thread(impl_->io);
  auto done = std::make_shared<std::promise<QmpResult>>();
  auto result = done->get_future();
  async_execute(command, std::move(arguments), timeout, [done](QmpResult r) { done->set_value(std::move(r)); });
  auto r = result.get();
  if (!r.ok) throw QmpError(r.error_class, r.error_desc);
  return std::move(r.value);
}

}  // namespace mw::vm::hypervisor::qemu
