// Build: gcc -O2 -o /tmp/zmq-small scripts/zmq-baseline/small.c -lzmq -lpthread; run: /tmp/zmq-small 0 (plain) or 1 (curve).
// Baseline: libzmq alone, 64 DEALER threads each doing 400 blocking 16-byte round trips with one ROUTER echo thread.
#include <zmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static char spub[41],ssec[41],cpub[41],csec[41]; static int curve, rounds=400; static char ep[256]; static void*wctx;
static pthread_barrier_t bar;
static void*dealer(void*p){(void)p; void*s=zmq_socket(wctx,ZMQ_DEALER);
 if(curve){zmq_setsockopt(s,ZMQ_CURVE_SERVERKEY,spub,40);zmq_setsockopt(s,ZMQ_CURVE_PUBLICKEY,cpub,40);zmq_setsockopt(s,ZMQ_CURVE_SECRETKEY,csec,40);}
 zmq_connect(s,ep); char b[16]={0}; zmq_send(s,b,16,0); zmq_recv(s,b,16,0); pthread_barrier_wait(&bar); pthread_barrier_wait(&bar);
 for(int i=0;i<rounds;i++){zmq_send(s,b,16,0); zmq_recv(s,b,16,0);} pthread_barrier_wait(&bar); int z=0; zmq_setsockopt(s,ZMQ_LINGER,&z,4); zmq_close(s); return 0;}
static void*echo(void*r){ zmq_msg_t id,m; zmq_msg_init(&id); zmq_msg_init(&m); for(;;){ if(zmq_msg_recv(&id,r,0)<0) return 0; zmq_msg_recv(&m,r,0); zmq_msg_send(&id,r,ZMQ_SNDMORE); zmq_msg_send(&m,r,0);} }
int main(int argc,char**argv){ int n=64; curve=atoi(argv[1]); zmq_curve_keypair(spub,ssec); zmq_curve_keypair(cpub,csec);
 void*lctx=zmq_ctx_new(); wctx=zmq_ctx_new(); void*r=zmq_socket(lctx,ZMQ_ROUTER);
 if(curve){int one=1; zmq_setsockopt(r,ZMQ_CURVE_SERVER,&one,4); zmq_setsockopt(r,ZMQ_CURVE_SECRETKEY,ssec,40);}
 zmq_bind(r,"tcp://127.0.0.1:0"); size_t l=sizeof ep; zmq_getsockopt(r,ZMQ_LAST_ENDPOINT,ep,&l);
 pthread_t e; pthread_create(&e,0,echo,r); pthread_barrier_init(&bar,0,n+1); pthread_t th[64]; for(int i=0;i<n;i++) pthread_create(&th[i],0,dealer,0);
 pthread_barrier_wait(&bar); double t0=now(); pthread_barrier_wait(&bar); pthread_barrier_wait(&bar); double t1=now();
 printf("C libzmq small %s: %d x %d round trips in %.3f s: %.0f round trips/s\n",curve?"curve":"plain",n,rounds,t1-t0,n*rounds/(t1-t0));
 for(int i=0;i<n;i++) pthread_join(th[i],0);
 fflush(stdout); _exit(0);}
