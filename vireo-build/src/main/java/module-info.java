/** A daemonless Dockerfile builder: parser, build context, layer cache, steps run by the container runtime. */
module dev.vireo.build {
    requires dev.vireo.sys;
    requires dev.vireo.image;
    requires dev.vireo.runtime;
    requires dev.vireo.containers;
    requires aircompressor;
    requires java.net.http;
    requires dev.vireo.json;
    requires org.tukaani.xz;

    exports dev.vireo.build;
}
