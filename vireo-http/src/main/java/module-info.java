/** HTTP/1.1 server and client on virtual threads, over TCP, TLS and Unix-domain sockets. */
module dev.vireo.http {
    exports dev.vireo.http;
}
