// Build: gcc -O2 -o /tmp/zmq-broadcast scripts/zmq-baseline/broadcast.c -lzmq -lsodium -lpthread
// Run: /tmp/zmq-broadcast DEALERS CURVE(0|1) [IO_THREADS [BIND_ADDRESS NETNS,NETNS,...]]
// Baseline: libzmq alone, ROUTER -> N DEALERs, 474 x 1 MiB zero-copy frames each, plain or CURVE. With
// network namespaces (`ip netns` names), dealer i joins namespace i mod K before it makes its own context,
// so its I/O thread (and its connection) lives there: the frames cross veth links to BIND_ADDRESS.
#define _GNU_SOURCE
#include <zmq.h>
#include <sched.h>
#include <fcntl.h>
#include <unistd.h>
#include <sodium.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static char spub[41],ssec[41],cpub[41],csec[41];
static int curve; static char ep[256]; static void *wctx; static size_t total; static int nframes;
static char *netns[16]; static int nnetns;
static void nofree(void*d,void*h){(void)d;(void)h;}
typedef struct {int id; double end;} arg_t;
static void *dealer(void *p){arg_t*a=p; void*ctx=wctx;
 if(nnetns){ char path[256]; snprintf(path,sizeof path,"/var/run/netns/%s",netns[a->id%nnetns]); int fd=open(path,O_RDONLY);
  if(fd<0||setns(fd,CLONE_NEWNET)){perror(path); exit(1);} close(fd); ctx=zmq_ctx_new(); }
 void*s=zmq_socket(ctx,ZMQ_DEALER); int hwm=1000; zmq_setsockopt(s,ZMQ_RCVHWM,&hwm,4);
 char id[8]; sprintf(id,"d%d",a->id); zmq_setsockopt(s,ZMQ_ROUTING_ID,id,strlen(id));
 if(curve){zmq_setsockopt(s,ZMQ_CURVE_SERVERKEY,spub,40);zmq_setsockopt(s,ZMQ_CURVE_PUBLICKEY,cpub,40);zmq_setsockopt(s,ZMQ_CURVE_SECRETKEY,csec,40);}
 zmq_connect(s,ep); zmq_send(s,"hi",2,0); size_t got=0; zmq_msg_t m; zmq_msg_init(&m);
 while(got<total){zmq_msg_recv(&m,s,0); got+=zmq_msg_size(&m);} a->end=now(); int z=0; zmq_setsockopt(s,ZMQ_LINGER,&z,4); zmq_close(s); if(ctx!=wctx) zmq_ctx_term(ctx); return 0;}
int main(int argc,char**argv){ int n=atoi(argv[1]); curve=atoi(argv[2]); int io=argc>3?atoi(argv[3]):1;
 const char*bind=argc>4?argv[4]:"127.0.0.1"; if(argc>5){ for(char*t=strtok(argv[5],",");t&&nnetns<16;t=strtok(0,",")) netns[nnetns++]=t; }
 nframes=474; size_t fs=1<<20; total=(size_t)nframes*fs; char*buf=malloc(total); memset(buf,1,total);
 zmq_curve_keypair(spub,ssec); zmq_curve_keypair(cpub,csec);
 void*lctx=zmq_ctx_new(); zmq_ctx_set(lctx,ZMQ_IO_THREADS,io); wctx=zmq_ctx_new(); zmq_ctx_set(wctx,ZMQ_IO_THREADS,io);
 void*r=zmq_socket(lctx,ZMQ_ROUTER); int hwm=1000; zmq_setsockopt(r,ZMQ_SNDHWM,&hwm,4);
 if(curve){int one=1; zmq_setsockopt(r,ZMQ_CURVE_SERVER,&one,4); zmq_setsockopt(r,ZMQ_CURVE_SECRETKEY,ssec,40);}
 char bep[300]; snprintf(bep,sizeof bep,"tcp://%s:0",bind); if(zmq_bind(r,bep)){perror(bep); return 1;} size_t l=sizeof ep; zmq_getsockopt(r,ZMQ_LAST_ENDPOINT,ep,&l);
 pthread_t th[64]; arg_t a[64]; for(int i=0;i<n;i++){a[i].id=i; pthread_create(&th[i],0,dealer,&a[i]);}
 char ids[64][8]; for(int i=0;i<n;i++){ zmq_msg_t m; zmq_msg_init(&m); zmq_msg_recv(&m,r,0); size_t il=zmq_msg_size(&m); memcpy(ids[i],zmq_msg_data(&m),il); ids[i][il]=0; zmq_msg_recv(&m,r,0);} 
 double t0=now();
 for(int f=0;f<nframes;f++) for(int i=0;i<n;i++){ zmq_send(r,ids[i],strlen(ids[i]),ZMQ_SNDMORE); zmq_msg_t m; zmq_msg_init_data(&m,buf+(size_t)f*fs,fs,nofree,0); zmq_msg_send(&m,r,0);} 
 double end=t0; for(int i=0;i<n;i++){pthread_join(th[i],0); if(a[i].end>end) end=a[i].end;}
 printf("C libzmq %s %d dealer(s) io=%d%s: %.3f s, %.2f GB/s in all\n",curve?"curve":"plain",n,io,nnetns?" across namespaces":"",end-t0,(double)total*n/(end-t0)/1e9);
 // crypto alone: crypto_box_afternm over 1 MiB, as CurveZMQ does per message (plus its two copies)
 if(curve && n==1){ unsigned char k[32],nonce[24]; randombytes_buf(k,32); randombytes_buf(nonce,24); unsigned char*pt=calloc(fs+32,1),*ct=malloc(fs+32);
  double c0=now(); for(int f=0;f<200;f++){ memcpy(pt+32,buf,fs); crypto_box_afternm(ct,pt,fs+32,nonce,k);} double c1=now();
  for(int f=0;f<200;f++){ crypto_box_afternm(ct,pt,fs+32,nonce,k);} double c2=now();
  for(int f=0;f<200;f++){ if(crypto_box_open_afternm(pt,ct,fs+32,nonce,k)) return 1;} double c3=now();
  printf("crypto_box_afternm 1 MiB: %.2f GB/s (with the plaintext copy %.2f GB/s); open %.2f GB/s\n",200.0*fs/(c2-c1)/1e9,200.0*fs/(c1-c0)/1e9,200.0*fs/(c3-c2)/1e9);}
 int z=0; zmq_setsockopt(r,ZMQ_LINGER,&z,4); zmq_close(r); zmq_ctx_term(lctx); zmq_ctx_term(wctx); return 0;}
