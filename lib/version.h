/* version.h - the one version string of every tool. */
#ifndef SP_VERSION_H
#define SP_VERSION_H
#define SP_VERSION "0.1.0"
#endif
