import json,hashlib,base64,sys
from groups import *
def b64c(b): return base64.b64encode(b).decode().rstrip('=')
def H(s): return hashlib.sha256(s.encode() if isinstance(s,str) else s).digest()
def check(path, election_path):
    raw=open(path,'rb').read().rstrip(b'\n')
    eraw=open(election_path,'rb').read().rstrip(b'\n')
    b=json.loads(raw)
    print('tracker hex', hashlib.sha256(raw).hexdigest(), 'b64', b64c(H(raw)))
    print('election_hash ok', b['election_hash']==b64c(H(eraw)))
    nosig={k:v for k,v in b.items() if k!='signature'}
    ser=json.dumps(nosig,separators=(',',':'),ensure_ascii=False)
    # check that raw == canonical of full ballot
    print('raw ballot == python compact dump', json.dumps(b,separators=(',',':'),ensure_ascii=False).encode()==raw)
    print('sig hash == b64(sha256(ballot w/o signature))', b['signature']['hash']==b64c(H(ser)))
    # verify sig
    cred=int(b['credential']); ch=int(b['signature']['proof']['challenge']); rs=int(b['signature']['proof']['response'])
    A=pow(BEL_G,rs,BEL_P)*pow(cred,ch,BEL_P)%BEL_P
    c2=int.from_bytes(H(f"sig|{b['signature']['hash']}|{A}"),'big')%BEL_Q
    print('sig verifies with SHA256("sig|"+hash+"|"+A) mod q', c2==ch)
if __name__=='__main__': check(sys.argv[1],sys.argv[2])
