import json,hashlib,base64,sys
from groups import *
p,q,g=BEL_P,BEL_Q,BEL_G
def b64c(b): return base64.b64encode(b).decode().rstrip('=')
Hq=lambda s: int.from_bytes(hashlib.sha256(s.encode()).digest(),'big')%q
def inv(x): return pow(x,p-2,p)
def iverify(S,y,alpha,beta,proofs,Ms):
    parts=[]; tot=0
    for pr,M in zip(proofs,Ms):
        c=int(pr['challenge']); r=int(pr['response'])
        A=pow(g,r,p)*pow(alpha,c,p)%p
        B=pow(y,r,p)*pow(beta*inv(pow(g,M,p))%p,c,p)%p
        parts+= [str(A),str(B)]; tot+=c
    return Hq(f"prove|{S}|{alpha},{beta}|{','.join(parts)}")==tot%q
def check(ballot_path, election_path):
    eraw=open(election_path,'rb').read().rstrip(b'\n'); e=json.loads(eraw)
    y=int(e['public_key']); phi=b64c(hashlib.sha256(eraw).digest())
    b=json.loads(open(ballot_path).read())
    S0=f"{phi}|{b['credential']}"
    for qi,(qq,a) in enumerate(zip(e['questions'],b['answers'])):
        ok=[iverify(S0,y,int(c['alpha']),int(c['beta']),pr,[0,1]) for c,pr in zip(a['choices'],a['individual_proofs'])]
        print('q',qi,'individual proofs', ok)
        cs=a['choices']
        S=S0+'|'+','.join(f"{c['alpha']},{c['beta']}" for c in cs)
        if not qq.get('blank'):
            al=1;be=1
            for c in cs: al=al*int(c['alpha'])%p; be=be*int(c['beta'])%p
            print('  overall', iverify(S,y,al,be,a['overall_proof'],list(range(qq['min'],qq['max']+1))))
        else:
            print('  blank question: overall/blank proofs not checked here')
if __name__=='__main__': check(sys.argv[1],sys.argv[2])
